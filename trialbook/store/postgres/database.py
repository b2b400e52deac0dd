"""One PostgreSQL store's database: its pool, schema check, write and read transactions
(with the change feed's ordering lock and single NOTIFY) and its change listener."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import psycopg

from trialbook.store.postgres import notify, schema
from trialbook.store.postgres.connection import ConnectionPool
from trialbook.store.postgres.url import PostgresUrl, parse_postgres_url

T = TypeVar("T")


class _Transaction(threading.local):
    locked = False
    latest: int | None = None


class PostgresDatabase:
    """The connection side of a PostgreSQL store; opening it sets up an empty database and
    refuses a schema of another version."""

    def __init__(self, url: str | PostgresUrl) -> None:
        self.url = url if isinstance(url, PostgresUrl) else parse_postgres_url(url)
        self.schema = self.url.schema
        self.pool = ConnectionPool(self.url)
        self._transaction = _Transaction()
        self._listener: notify.ChangeListener | None = None
        self._listener_lock = threading.Lock()
        with self.pool.connection() as connection:
            schema.ensure_schema(connection, self.url)

    # -- transactions ----------------------------------------------------------------------
    def write(self, body: Callable[[psycopg.Connection], T]) -> T:
        """Run ``body`` in one write transaction; its changes become visible, and at most one
        notification is sent, when it commits. Lost connections are retried (see
        ConnectionPool.run); anything else propagates after a rollback."""
        state = self._transaction

        def transaction(connection: psycopg.Connection) -> T:
            state.locked, state.latest = False, None
            result = body(connection)
            if state.latest is not None:
                notify.notify(connection, self.schema, state.latest)
            return result

        try:
            return self.pool.run(transaction)
        finally:
            state.locked, state.latest = False, None

    def read(self, body: Callable[[psycopg.Connection], T]) -> T:
        """Run ``body`` in one read-only transaction (one consistent snapshot)."""

        def transaction(connection: psycopg.Connection) -> T:
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return body(connection)

        return self.pool.run(transaction)

    def add_change(
        self,
        connection: psycopg.Connection,
        now: float,
        kind: str,
        entity_type: str,
        entity_name: str,
        experiment_name: str | None,
        payload: str,
    ) -> int:
        """Append one row to ``changes`` in the running write transaction; returns its seq."""
        state = self._transaction
        if not state.locked:
            notify.lock_change_feed(connection, self.schema)
            state.locked = True
        row = connection.execute(
            "INSERT INTO changes (time, kind, entity_type, entity_name, experiment_name, payload)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING seq",
            (now, kind, entity_type, entity_name, experiment_name, payload),
        ).fetchone()
        assert row is not None
        state.latest = int(row[0])
        return state.latest

    def changes_since(self, cursor: int, limit: int = 1000) -> list[Mapping[str, Any]]:
        def body(connection: psycopg.Connection) -> list[Mapping[str, Any]]:
            with connection.cursor(row_factory=psycopg.rows.dict_row) as rows:
                return rows.execute(
                    "SELECT seq, time, kind, entity_type, entity_name, experiment_name, payload"
                    " FROM changes WHERE seq > %s ORDER BY seq LIMIT %s",
                    (cursor, limit),
                ).fetchall()

        return self.read(body)

    def latest_change_cursor(self) -> int:
        def body(connection: psycopg.Connection) -> int:
            row = connection.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
            return int(row[0]) if row else 0

        return self.read(body)

    # -- change feed -----------------------------------------------------------------------
    def listener(self) -> notify.ChangeListener:
        """This process's one listener connection for the store (started on first use)."""
        with self._listener_lock:
            if self._listener is None:
                self._listener = notify.ChangeListener(self.pool)
            return self._listener

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        with self._listener_lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self.pool.close()

    def reset_after_fork(self) -> None:
        """In a forked child: the parent's connections and listener thread are not ours."""
        self.pool.reset_after_fork()
        self._transaction = _Transaction()
        self._listener = None
        self._listener_lock = threading.Lock()


def upgrade_database(url: str) -> tuple[int, int]:
    """``python -m trialbook db upgrade`` for a PostgreSQL store: (before, after) versions."""
    parsed = parse_postgres_url(url)
    pool = ConnectionPool(parsed)
    try:
        with pool.connection() as connection:
            return schema.upgrade(connection, parsed)
    finally:
        pool.close()
