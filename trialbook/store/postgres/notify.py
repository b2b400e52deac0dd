"""The change feed on PostgreSQL: one NOTIFY per write transaction, and one listener
connection per process that wakes every waiter.

A ``changes.seq`` comes from a sequence, and sequences are not handed out in commit order
by themselves: a reader could see seq 11 committed while seq 10 is still in flight, move its
cursor past 10 and miss it for good. Write transactions hold the store's write lock (see
backend.py) from BEGIN to COMMIT, so seqs are allocated, and become visible, in commit order.

At commit, at most one ``pg_notify`` carries the transaction's latest cursor; PostgreSQL
delivers it only if the transaction commits. A notification is only a wake-up: a woken
waiter re-reads ``changes`` from its own cursor, so a missed or merged notification loses
nothing.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

from trialbook.store.postgres.connection import Connector

log = logging.getLogger(__name__)


def channel(schema: str) -> str:
    """The NOTIFY channel of a store (per schema, so two stores in one database never wake
    each other)."""
    return f"trialbook.{schema}.changes"


def notify_sql(schema: str, cursor: int) -> sql.Composed:
    """The statement that queues the one notification of a transaction (delivered at commit):
    literal, so it can share a round trip with the COMMIT."""
    return sql.SQL("SELECT pg_notify({}, {})").format(
        sql.Literal(channel(schema)), sql.Literal(str(cursor))
    )


class ChangeListener:
    """A daemon thread holding one LISTEN connection; calls every subscriber with the
    notified cursor, or with None after (re)connecting (something may have been missed:
    re-read). Subscribers run on the listener thread and must be quick (hand off to a loop)."""

    def __init__(self, connector: Connector, *, idle_seconds: float = 5.0) -> None:
        self.connector = connector
        self.idle_seconds = idle_seconds
        self._subscribers: list[Callable[[int | None], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: psycopg.Connection | None = None

    def subscribe(self, callback: Callable[[int | None], None]) -> None:
        with self._lock:
            self._subscribers.append(callback)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="trialbook-change-listener", daemon=True
                )
                self._thread.start()

    def unsubscribe(self, callback: Callable[[int | None], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._subscribers.remove(callback)

    def _publish(self, cursor: int | None) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(cursor)
            except Exception:  # one broken subscriber must not starve the others
                log.exception("a trialbook change subscriber failed")

    def _run(self) -> None:
        delay = 0.1
        while not self._stop.is_set():
            try:
                connection = self.connector.connect()
            except Exception as error:
                log.warning("trialbook change listener cannot connect yet: %s", error)
                self._stop.wait(delay * (0.5 + random.random()))
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.1
            self._connection = connection
            try:
                connection.execute(
                    sql.SQL("LISTEN {}").format(sql.Identifier(channel(self.connector.url.schema)))
                )
                self._publish(None)  # anything committed while we were away
                while not self._stop.is_set():
                    woken = False
                    for notification in connection.notifies(timeout=self.idle_seconds):
                        woken = True
                        try:
                            self._publish(int(notification.payload))
                        except ValueError:
                            self._publish(None)
                        break  # back to the stop check between notifications
                    if not woken:
                        connection.execute("SELECT 1")  # a silently dropped link shows here
            except psycopg.Error as error:
                if not self._stop.is_set():
                    log.warning("trialbook change listener lost its connection: %s", error)
            finally:
                self._connection = None
                with contextlib.suppress(psycopg.Error):
                    connection.close()

    def close(self) -> None:
        self._stop.set()
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.cancel_safe()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._thread = None
