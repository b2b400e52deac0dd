"""SQLite connections: one per thread, WAL, a 30 s busy timeout, write transactions that take
the lock up front, never a connection used across ``fork``, never a network filesystem. A
store this process may read but not write (file or folder not writable) is opened read-only:
reads work and the first write says why it cannot (``faults.py`` words every file error)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from trialbook.store.core.backend import Backend, Connection
from trialbook.store.core.retrying import retry
from trialbook.store.sqlite import bulk, faults, schema
from trialbook.store.sqlite.checkpoints import BACKSTOP_PAGES, Checkpointer
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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise faults.cannot_create(path, error) from None
        check_local_filesystem(path.parent)
        #: Why this process may only read the store (None when it may write).
        self.read_only_reason = _read_only_reason(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._inherited: list[sqlite3.Connection] = []
        self._checkpointer = Checkpointer(self.connection)
        weakref.finalize(self, self._checkpointer.stop)  # a backend dropped without close()

    @property
    def description(self) -> str:
        return str(self.path)

    def connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        try:
            connection = self._connect()
        except Exception as error:
            translated = self.store_error(error)
            if translated is None:
                raise
            raise translated from None
        self._local.connection = connection
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def _connect(self) -> sqlite3.Connection:
        if self.read_only_reason is not None:
            return self._connect_read_only()
        connection = sqlite3.connect(
            str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 30000")
        retry(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone(), is_busy)
        connection.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints run on a thread of their own (checkpoints.py); this is the backstop.
        connection.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        connection.execute("PRAGMA foreign_keys = ON")
        _ensure_sqrt(connection)
        retry(lambda: schema.migrate(connection, self.path), is_busy)
        return connection

    def _connect_read_only(self) -> sqlite3.Connection:
        # WAL readers need the -shm file; in a folder this process cannot write, with no
        # write-ahead log (no writer has it open), the file is read as immutable instead.
        wal = self.path.with_name(self.path.name + "-wal")
        immutable = not os.access(self.path.parent, os.W_OK) and not wal.exists()
        connection = sqlite3.connect(
            f"file:{quote(str(self.path))}?mode=ro{'&immutable=1' if immutable else ''}",
            uri=True,
            timeout=30.0,
            isolation_level=None,
            check_same_thread=False,
        )
        connection.execute("PRAGMA busy_timeout = 30000")
        _ensure_sqrt(connection)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        schema.check_version(version, str(self.path))
        schema.check_trialbook(connection, version, self.path)
        if version < schema.SCHEMA_VERSION:
            raise faults.read_only(
                self.path,
                f"{self.read_only_reason}, and it must first be upgraded from schema {version} "
                f"to {schema.SCHEMA_VERSION} by a process that may write it",
            )
        return connection

    def store_error(self, error: Exception) -> Exception | None:
        return faults.translate(self.path, error, read_only_reason=self.read_only_reason)

    def begin(self, connection: Connection, *, write: bool) -> None:
        if write and self.read_only_reason is not None:
            raise faults.read_only(self.path, self.read_only_reason)
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def commit(self, connection: Connection) -> None:
        if connection.in_transaction:  # type: ignore[attr-defined]
            connection.execute("COMMIT")

    def committed_write(self) -> None:
        self._checkpointer.committed()

    def rollback(self, connection: Connection) -> None:
        if connection.in_transaction:  # type: ignore[attr-defined]
            connection.execute("ROLLBACK")

    def is_transient(self, error: Exception) -> bool:
        return is_busy(error)

    def bulk_insert(
        self, connection: Connection, table: str, columns: Sequence[Sequence[Any]]
    ) -> None:
        bulk.insert_columns(connection, table, columns)  # type: ignore[arg-type]

    def executemany(self, connection: Connection, sql: str, rows: Any) -> None:
        if rows:
            connection.executemany(sql, rows)  # type: ignore[attr-defined]

    def announce(self, connection: Connection, cursor: int) -> None:
        """Nothing to send: readers (the server's change feed) poll ``max(changes.seq)``."""

    def close(self) -> None:
        self._checkpointer.stop()
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
        self._checkpointer.reset_after_fork()


def _read_only_reason(path: Path) -> str | None:
    """Why this process may read but not write an existing store, or None."""
    if not path.exists():
        return None
    if not os.access(path, os.W_OK):
        return "the file is not writable by this user"
    if not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} is not writable by this user"
    return None


def _ensure_sqrt(connection: sqlite3.Connection) -> None:
    """Metric standard deviations need ``sqrt``, which SQLite builds without the math
    functions lack: provide it there."""
    try:
        connection.execute("SELECT sqrt(4.0)").fetchone()
    except sqlite3.OperationalError:
        connection.create_function(
            "sqrt", 1, lambda x: None if x is None or x < 0 else x**0.5, deterministic=True
        )
