"""PostgreSQL connections for the SQL core: one per thread (made on demand, re-made when the
server dropped it), write transactions serialized by one advisory lock (SQLite's
``BEGIN IMMEDIATE``: the core's check-then-insert rules and the change feed's commit order
hold as on SQLite, and writers can never deadlock), COPY for bulk rows, one NOTIFY a write.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus
from psycopg.types.composite import CompositeInfo, register_composite
from psycopg.types.string import StrDumper

from trialbook.store.core.backend import Backend, Connection
from trialbook.store.postgres import bulk, faults, notify, schema
from trialbook.store.postgres.connection import Connector, is_transient
from trialbook.store.postgres.dialect import PostgresDialect
from trialbook.store.postgres.scalar import ScalarLoader, load_scalar
from trialbook.store.postgres.url import PostgresUrl

#: How long one operation keeps retrying while the server is unreachable (a restart takes
#: seconds); the metric writer then keeps its points and tries again at the next flush.
OUTAGE_RETRY_SECONDS = 15.0
_WRITE_LOCK = "trialbook.write"
_BEGIN_READ = (("BEGIN ISOLATION LEVEL REPEATABLE READ", None),)


class PostgresConnection:
    """This thread's connection as the core sees it: ``execute``/``cursor`` on the live
    psycopg connection, which ``open`` replaces when the server dropped it. A transaction's
    ``BEGIN`` (and a write's lock) waits to go in one pipeline with its first statement. A
    bulk insert leaves its COPY open (the server writes while the core computes): ``open``
    waits for it before the connection's next statement, ``rollback`` cancels it."""

    def __init__(self, backend: PostgresBackend) -> None:
        self.backend = backend
        self.raw: psycopg.Connection | None = None
        self.copying: bulk.OpenCopy | None = None
        #: BEGIN (and the write lock): statements sent with the transaction's first one.
        self.pending_begin: Sequence[tuple[str, Any]] = ()
        #: The transaction's NOTIFY, sent with its COMMIT (one round trip for both).
        self.announcement: sql.Composed | None = None

    def live(self) -> psycopg.Connection:
        """The connection (made again when the server dropped it), its open COPY finished."""
        raw = self.raw
        if raw is None or raw.closed or raw.broken:
            self.cancel_copy()
            self.raw = raw = self.backend._connect()
        elif self.copying is not None:
            copying, self.copying = self.copying, None
            copying.finish()  # the server's error for the COPY, if any, is raised here
        return raw

    def open(self) -> psycopg.Connection:
        """The connection, inside the transaction ``begin`` asked for."""
        raw = self.live()
        if self.pending_begin:
            begin, self.pending_begin = self.pending_begin, ()
            with raw.pipeline():
                for statement, arguments in begin:
                    raw.execute(statement, arguments)
        return raw

    def cancel_copy(self) -> None:
        """Cancel an open COPY (also on a dropped connection: it releases psycopg's lock)."""
        copying, self.copying = self.copying, None
        if copying is not None:
            with contextlib.suppress(psycopg.Error):
                copying.abandon(RuntimeError("the transaction was rolled back"))

    def execute(self, sql: str, parameters: Any = ()) -> psycopg.Cursor[Any]:
        if not self.pending_begin:
            return self.open().execute(sql, parameters)
        raw = self.live()
        begin, self.pending_begin = self.pending_begin, ()
        with raw.pipeline():  # one round trip for BEGIN, the lock and this statement
            for statement, arguments in begin:
                raw.execute(statement, arguments)
            cursor = raw.execute(sql, parameters)
        return cursor

    def cursor(self) -> psycopg.Cursor[Any]:
        return self.open().cursor()

    @property
    def in_transaction(self) -> bool:
        raw = self.raw
        return (
            raw is not None
            and not raw.closed
            and raw.info.transaction_status != TransactionStatus.IDLE
        )


class PostgresBackend(Backend):
    dialect = PostgresDialect()

    def __init__(self, url: PostgresUrl) -> None:
        self.url = url
        self.schema = url.schema
        self.connector = Connector(url)
        self._local = threading.local()
        self._raw: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._scalar: CompositeInfo | None = None
        self._outage_since: float | None = None
        self._listener: notify.ChangeListener | None = None
        self._begin_write = (
            ("BEGIN", None),
            (
                "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))",
                (_WRITE_LOCK, self.schema),
            ),
        )

    @property
    def description(self) -> str:
        return self.url.where()

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection:
        raw = self.connector.connect()
        try:
            if self._scalar is None:
                schema.ensure_schema(raw, self.url)  # set up an empty database, check version
                self._scalar = CompositeInfo.fetch(raw, "scalar")
            assert self._scalar is not None
            register_composite(self._scalar, raw, make_object=_make_scalar)
            raw.adapters.register_loader(self._scalar.oid, ScalarLoader)  # the fast path
            raw.adapters.register_dumper(str, StrDumper)  # bind str as text (scalar.py)
        except BaseException:
            raw.close()
            raise
        with self._lock:
            self._raw.append(raw)
        return raw

    def connection(self) -> PostgresConnection:
        if self._pid != os.getpid():
            self.reset_after_fork()
        connection: PostgresConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = PostgresConnection(self)
        return connection

    def open(self) -> None:
        """Connect now (the store fails early: unreachable, credentials, schema version)."""
        self.connection().open()

    # -- transactions ----------------------------------------------------------------------
    def begin(self, connection: Connection, *, write: bool) -> None:
        """Connect now (an unreachable server fails here); BEGIN goes with the first statement."""
        assert isinstance(connection, PostgresConnection)
        connection.open()
        connection.announcement = None
        connection.pending_begin = self._begin_write if write else _BEGIN_READ
        self._outage_since = None

    def commit(self, connection: Connection) -> None:
        assert isinstance(connection, PostgresConnection)
        connection.pending_begin = ()  # a transaction that ran nothing never began
        announcement, connection.announcement = connection.announcement, None
        if connection.in_transaction:
            if announcement is None:
                connection.execute("COMMIT")
            else:
                connection.open().execute(sql.SQL("{}; COMMIT").format(announcement))

    def rollback(self, connection: Connection) -> None:
        assert isinstance(connection, PostgresConnection)
        connection.pending_begin = ()
        connection.announcement = None
        connection.cancel_copy()
        raw = connection.raw
        if raw is None or raw.broken or raw.closed:
            return
        if connection.in_transaction:
            with contextlib.suppress(psycopg.OperationalError, psycopg.InterfaceError):
                raw.execute("ROLLBACK")

    def store_error(self, error: Exception) -> Exception | None:
        return faults.translate(self.url, error)

    def is_transient(self, error: Exception) -> bool:
        if not (is_transient(error) or isinstance(error, psycopg.InterfaceError)):
            return False
        now = time.monotonic()
        if self._outage_since is None:
            self._outage_since = now
        return now - self._outage_since < OUTAGE_RETRY_SECONDS

    # -- bulk writes and notification ------------------------------------------------------
    def bulk_insert(
        self, connection: Connection, table: str, columns: Sequence[Sequence[Any]]
    ) -> None:
        assert isinstance(connection, PostgresConnection)
        if columns and len(columns[0]):
            pieces = bulk.binary_copy_chunks(table, columns)
            first = next(pieces)  # packed while the server may still write an earlier COPY
            raw = connection.open()
            connection.copying = bulk.start_copy(raw, table, itertools.chain([first], pieces))

    def fetch_all(self, connection: Connection, sql: str, parameters: Any) -> list[Any]:
        # Binary rows: half the client's CPU of parsing 2,000,000 numbers from text.
        cursor = cast(PostgresConnection, connection).open().cursor(binary=True)
        return cursor.execute(sql, parameters).fetchall()

    def executemany(self, connection: Connection, sql: str, rows: Any) -> None:
        if rows:
            assert isinstance(connection, PostgresConnection)
            with connection.open().cursor() as cursor:
                cursor.executemany(self.dialect.sql(sql), rows)  # pipelined by psycopg

    def execute_all(
        self, connection: Connection, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> None:
        """Every statement in one pipeline: one round trip (a failed one raises at its end)."""
        assert isinstance(connection, PostgresConnection)
        raw = connection.open()
        with raw.pipeline(), raw.cursor() as cursor:
            for sql, rows in statements:
                if rows:
                    cursor.executemany(self.dialect.sql(sql), rows)

    def announce(self, connection: Connection, cursor: int) -> None:
        assert isinstance(connection, PostgresConnection)
        connection.announcement = notify.notify_sql(self.schema, cursor)  # sent by commit

    def listen(self, callback: Callable[[int | None], None]) -> bool:
        """Call ``callback`` (on a listener thread) whenever a write commits anywhere."""
        with self._lock:
            if self._listener is None:
                self._listener = notify.ChangeListener(self.connector)
            listener = self._listener
        listener.subscribe(callback)
        return True

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            connections, self._raw = self._raw, []
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._pid == os.getpid():
            for raw in connections:
                with contextlib.suppress(psycopg.Error):
                    raw.close()
        self._local = threading.local()

    def reset_after_fork(self) -> None:
        # The parent's sockets are not ours: psycopg never closes a connection in a process
        # other than its creator's, so dropping the references is safe.
        self._raw = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self._listener = None
        self._outage_since = None
        self._pid = os.getpid()


def _make_scalar(values: Any, info: CompositeInfo) -> Any:
    return load_scalar(*values)
