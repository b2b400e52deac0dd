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

#: A statement and the parameter rows to run it with (``Transaction.execute_all``).
Statement = tuple[str, Sequence[Sequence[Any]]]

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
        #: Change rows written so far (see ``record_change``), and those still to write.
        self.changes: list[Change] = []
        self.pending_changes: list[tuple[Any, ...]] = []
        #: Components whose activity this transaction already propagated (at ``now``).
        self.touched: set[int] = set()

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        return self.connection.execute(self.dialect.sql(sql), parameters)  # type: ignore[no-any-return]

    def fetch_all(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """Every row of a large read of numbers and text, in the backend's fastest form."""
        return self.backend.fetch_all(self.connection, self.dialect.sql(sql), parameters)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.backend.executemany(self.connection, sql, rows)

    def execute_all(self, statements: Sequence[Statement]) -> None:
        """Run each statement once per parameter row, in order, without reading results (an
        error fails the transaction): one round trip where the backend pipelines."""
        if any(rows for _, rows in statements):
            self.backend.execute_all(self.connection, statements)

    def bulk_insert(self, table: str, columns: Sequence[Sequence[Any]]) -> None:
        """Insert rows given as whole columns (all of one length, in the table's order)."""
        if columns and len(columns[0]):
            self.backend.bulk_insert(self.connection, table, columns)

    def scalar(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """The first column of the first row, or None (every row is read: a DML statement
        with RETURNING must run to its end before the transaction commits)."""
        rows = self.execute(sql, parameters).fetchall()
        return rows[0][0] if rows else None

    def insert(
        self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = (), key: str = "id"
    ) -> int | None:
        """Run a one-row INSERT (which may do nothing on conflict): the new row's integer
        primary key ``key``, or None when it inserted no row."""
        if not self.dialect.cursor_tells_inserted_id:
            return self.scalar(f"{sql} RETURNING {key}", parameters)
        cursor = self.execute(sql, parameters)
        return cursor.lastrowid if cursor.rowcount else None  # type: ignore[attr-defined]

    def record_change(
        self,
        kind: str,
        entity_type: str,
        entity_name: str,
        experiment_name: str | None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Append a row to the change feed (kinds in docs/rest-api.md). Rows wait in
        ``pending_changes`` until ``write_changes`` (before the commit): one INSERT for the
        transaction's rows instead of one each (a run writes ~6)."""
        self.pending_changes.append(
            (self.now, kind, entity_type, entity_name, experiment_name, dict(payload or {}))
        )

    def write_changes(self) -> None:
        """Insert the pending change rows in one statement, in the order they were recorded
        (their seqs ascend in that order), and add them to ``changes``."""
        pending, self.pending_changes = self.pending_changes, []
        for chunk in chunks(pending):
            sql = (
                "INSERT INTO changes (time, kind, entity_type, entity_name, experiment_name,"
                " payload) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
            )
            values = [value for *fields, payload in chunk for value in (*fields, dumps(payload))]
            seqs: Sequence[int]
            if self.dialect.cursor_tells_inserted_id:
                # One statement under the write lock: its rows' seqs follow each other.
                last = self.execute(sql, values).lastrowid  # type: ignore[attr-defined]
                seqs = range(last - len(chunk) + 1, last + 1)
            else:
                rows = self.execute(f"{sql} RETURNING seq", values).fetchall()
                seqs = sorted(int(row[0]) for row in rows)
            self.changes.extend(
                Change(seq, *fields) for seq, fields in zip(seqs, chunk, strict=True)
            )
