"""One transaction of the SQL core: executes the core's SQL through the backend's dialect and
collects the change-feed rows it writes (handed to listeners once it commits)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from trialbook.store.core.backend import Backend, Connection, Cursor
from trialbook.store.core.encoding import dumps
from trialbook.store.core.records import Change

T = TypeVar("T")

CHUNK = 500  # keep IN (...) lists far below every engine's bound-parameter limit


def chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def marks(count: int) -> str:
    """``count`` placeholders for an IN list."""
    return ",".join("?" * count)


class Transaction:
    """A connection inside BEGIN … COMMIT, seen through the core's SQL."""

    def __init__(self, backend: Backend, connection: Connection, *, write: bool) -> None:
        self.backend = backend
        self.dialect = backend.dialect
        self.connection = connection
        self.write = write
        self.now = time.time()
        #: Change rows written so far (see ``record_change``).
        self.changes: list[Change] = []

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        return self.connection.execute(self.dialect.sql(sql), parameters)  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.backend.executemany(self.connection, sql, rows)

    def bulk_insert(self, table: str, columns: int, flat: list[Any]) -> None:
        if flat:
            self.backend.bulk_insert(self.connection, table, columns, flat)

    def scalar(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """The first column of the first row, or None (every row is read: a DML statement
        with RETURNING must run to its end before the transaction commits)."""
        rows = self.execute(sql, parameters).fetchall()
        return rows[0][0] if rows else None

    def record_change(
        self,
        kind: str,
        entity_type: str,
        entity_name: str,
        experiment_name: str | None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Append a row to the change feed (kinds in docs/rest-api.md)."""
        seq = self.scalar(
            "INSERT INTO changes (time, kind, entity_type, entity_name, experiment_name, payload)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            (self.now, kind, entity_type, entity_name, experiment_name, dumps(payload or {})),
        )
        self.changes.append(
            Change(
                int(seq),
                self.now,
                kind,
                entity_type,
                entity_name,
                experiment_name,
                dict(payload or {}),
            )
        )
