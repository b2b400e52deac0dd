"""Connections to PostgreSQL: a small pool per process, fork-safe, with clear errors.

The pool has no background thread: a connection is made when none is idle, given back after
use and discarded when broken. A forked child drops (without closing: the socket is shared
with the parent) every connection it inherited. Connection failures become errors that say
what to do and never show the password: ``ValidationError`` for a malformed URL,
``StoreUnavailableError`` (retryable) when the server cannot be reached,
``TrialbookError`` for bad credentials or a missing database.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import psycopg

from trialbook.errors import StoreUnavailableError, TrialbookError, ValidationError
from trialbook.store.postgres.url import PostgresUrl

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10
RETRY_SECONDS = 5.0  # how long one operation retries a lost connection before raising
_MAX_IDLE = 4

# SQLSTATEs worth retrying: connection exceptions (class 08), the server shutting down or
# starting up, serialization failures and deadlocks.
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01", "53300"})

_pools: set[ConnectionPool] = set()
_pools_lock = threading.Lock()


def is_transient(error: BaseException) -> bool:
    """Whether retrying ``error`` later may succeed (the server or the network came back)."""
    if isinstance(error, StoreUnavailableError):
        return True
    if not isinstance(error, psycopg.Error):
        return False
    sqlstate = error.sqlstate or ""
    if sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(error, psycopg.OperationalError) and not sqlstate


def connect_error(url: PostgresUrl, error: psycopg.Error) -> TrialbookError:
    """A clear, password-free error for a failed connection attempt."""
    reason = _reason(url, error)
    lowered = reason.lower()
    where = url.where()
    if (
        "password authentication failed" in lowered
        or "no password supplied" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return TrialbookError(
            f"PostgreSQL at {where} refused the credentials: {reason}. Check the user and "
            "password in TRIALBOOK_STORE (or ~/.pgpass / PGPASSWORD)."
        )
    if "database" in lowered and "does not exist" in lowered:
        return TrialbookError(
            f"PostgreSQL at {where}: {reason}. Create it first (e.g. `createdb "
            f"{url.database}` or CREATE DATABASE {url.database}); Trialbook creates its "
            "tables itself but not the database."
        )
    if (
        "invalid" in lowered
        and ("option" in lowered or "connection" in lowered)
        and ("uri" in lowered or "option" in lowered)
    ):
        return ValidationError(f"TRIALBOOK_STORE={url.redacted!r} is not usable: {reason}.")
    return StoreUnavailableError(
        f"Cannot reach PostgreSQL at {where}: {reason}. Is the server running and accepting "
        "TCP connections there (listen_addresses, pg_hba.conf, a firewall)?"
    )


def _reason(url: PostgresUrl, error: BaseException) -> str:
    """libpq's message, one line, with the password scrubbed should it ever appear."""
    text = " ".join(str(error).split()) or type(error).__name__
    text = text.removeprefix("connection failed: ")
    if "@" in url.conninfo and ":" in url.conninfo.split("@", 1)[0].split("//", 1)[-1]:
        password = url.conninfo.split("@", 1)[0].split("//", 1)[-1].split(":", 1)[1]
        if password:
            text = text.replace(password, "***")
    return text


class ConnectionPool:
    """At most ``max_idle`` idle connections kept for reuse; any number in use at once."""

    def __init__(
        self,
        url: PostgresUrl,
        *,
        max_idle: int = _MAX_IDLE,
        configure: Callable[[psycopg.Connection], None] | None = None,
    ) -> None:
        self.url = url
        self.max_idle = max_idle
        self._configure = configure
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._inherited: list[psycopg.Connection] = []
        with _pools_lock:
            _pools.add(self)

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        """A new connection with ``search_path`` set to the store's schema."""
        try:
            connection = psycopg.connect(
                self.url.conninfo,
                autocommit=autocommit,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                options=f"-c search_path={self.url.schema}",
                application_name="trialbook",
            )
        except psycopg.ProgrammingError as error:  # libpq rejected the URL's options
            raise ValidationError(
                f"TRIALBOOK_STORE={self.url.redacted!r} is not a usable PostgreSQL URL: "
                f"{_reason(self.url, error)}."
            ) from None
        except psycopg.Error as error:
            raise connect_error(self.url, error) from None
        if self._configure is not None:
            self._configure(connection)
        return connection

    def _take(self) -> psycopg.Connection:
        if self._pid != os.getpid():
            self.reset_after_fork()
        with self._lock:
            while self._idle:
                connection = self._idle.pop()
                if not connection.closed:
                    return connection
        return self.connect()

    def _give_back(self, connection: psycopg.Connection) -> None:
        usable = (
            not connection.closed
            and not connection.broken
            and connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            and self._pid == os.getpid()
        )
        if usable:
            with self._lock:
                if len(self._idle) < self.max_idle:
                    self._idle.append(connection)
                    return
        if self._pid == os.getpid():
            with contextlib.suppress(psycopg.Error):
                connection.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection for the duration of the block (returned, or discarded when
        the block broke it)."""
        connection = self._take()
        try:
            yield connection
        except BaseException:
            if not connection.closed and not connection.broken:
                with contextlib.suppress(psycopg.Error):
                    connection.rollback()
            raise
        finally:
            self._give_back(connection)

    def run(self, body: Callable[[psycopg.Connection], T], *, retry: bool = True) -> T:
        """Run ``body`` in one transaction; a lost connection (an idle one gone stale after
        a server restart, a network drop) is retried on a fresh one with backoff for up to
        ``RETRY_SECONDS``, then raised as StoreUnavailableError."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                with self.connection() as connection, connection.transaction():
                    return body(connection)
            except BaseException as error:
                if not is_transient(error):
                    raise
                if not retry or time.monotonic() > deadline:
                    if isinstance(error, StoreUnavailableError):
                        raise
                    raise StoreUnavailableError(
                        f"Lost the connection to PostgreSQL at {self.url.where()}: "
                        f"{_reason(self.url, error)}. The operation did not complete; it can be "
                        "retried once the server is back."
                    ) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 1.0)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if self._pid == os.getpid():
            for connection in idle:
                with contextlib.suppress(psycopg.Error):
                    connection.close()
        with _pools_lock:
            _pools.discard(self)

    def reset_after_fork(self) -> None:
        """In a forked child: forget the parent's connections without closing them (closing
        would end the parent's sessions on the shared sockets); keep them referenced so
        garbage collection does not close them either."""
        self._inherited.extend(self._idle)
        self._idle = []
        self._lock = threading.Lock()
        self._pid = os.getpid()


def _after_fork_in_child() -> None:
    global _pools_lock
    _pools_lock = threading.Lock()
    for pool in list(_pools):
        pool.reset_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
