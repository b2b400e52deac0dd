"""SQLite connections: one per thread, WAL, a 30 s busy timeout, write transactions that take
the lock up front, never a connection used across ``fork``, never a network filesystem."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

from trialbook.store.core.backend import Backend, Connection
from trialbook.store.core.retrying import retry
from trialbook.store.sqlite import bulk, schema
from trialbook.store.sqlite.dialect import SqliteDialect
from trialbook.store.sqlite.filesystem import check_local_filesystem


def is_busy(error: Exception) -> bool:
    if not isinstance(error, sqlite3.OperationalError):
        return False
    message = str(error).lower()
    return "locked" in message or "busy" in message


class SqliteBackend(Backend):
    """The SQLite file at ``path``; its directory is created and must be on a local disk."""

    dialect = SqliteDialect()

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        check_local_filesystem(path.parent)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._inherited: list[sqlite3.Connection] = []

    @property
    def description(self) -> str:
        return str(self.path)

    def connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        connection = sqlite3.connect(
            str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 30000")
        retry(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone(), is_busy)
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        retry(lambda: schema.migrate(connection, str(self.path)), is_busy)
        self._local.connection = connection
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def begin(self, connection: Connection, *, write: bool) -> None:
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def commit(self, connection: Connection) -> None:
        if connection.in_transaction:  # type: ignore[attr-defined]
            connection.execute("COMMIT")

    def rollback(self, connection: Connection) -> None:
        if connection.in_transaction:  # type: ignore[attr-defined]
            connection.execute("ROLLBACK")

    def is_transient(self, error: Exception) -> bool:
        return is_busy(error)

    def bulk_insert(
        self, connection: Connection, table: str, columns: int, flat: list[Any]
    ) -> None:
        bulk.insert_rows(connection, table, columns, flat)  # type: ignore[arg-type]

    def executemany(self, connection: Connection, sql: str, rows: Any) -> None:
        if rows:
            connection.executemany(sql, rows)  # type: ignore[attr-defined]

    def announce(self, connection: Connection, cursor: int) -> None:
        """Nothing to send: readers (the server's change feed) poll ``max(changes.seq)``."""

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        self._local = threading.local()

    def reset_after_fork(self) -> None:
        # Never close a connection inherited across fork (SQLite forbids using it in the
        # child); keep a reference so garbage collection does not close it either.
        self._inherited.extend(self._connections)
        self._connections = []
        self._connections_lock = threading.Lock()
        self._local = threading.local()
