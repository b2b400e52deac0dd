"""Checkpoints of the write-ahead log on a thread of their own, not on the writing thread.

In WAL mode a commit appends the pages it changed to the log; a checkpoint copies them back
into the database file, syncing the log before and the file after (two fsyncs). SQLite runs
one inside the commit that takes the log past ``wal_autocheckpoint`` pages (1,000 by
default), so every few dozen short transactions one commit waits for the copy and both
fsyncs: measured on ``exp.run``, 2% of the commits took 55% of the commit time (a commit's
median 55 µs, its mean 140 µs; with the syncs turned off, 65 µs).

Here a daemon thread runs a PASSIVE checkpoint on its own connection every so many write
transactions of this process: it copies what no reader still needs, never blocks a writer or
a reader, and waits for the fsyncs while the writing thread goes on. How many transactions
it waits for adapts so that each checkpoint finds about ``TARGET_PAGES`` new log pages, the
cadence of SQLite's own: the same pages are synced as often, in the same order, only by
another thread (a power loss can lose what was committed since the last sync, as before:
``synchronous = NORMAL``). The writing connections keep SQLite's own checkpoint as a
backstop at ``BACKSTOP_PAGES`` (the log cannot restart while a writer appends during the
background copy, so in a busy loop it is that backstop, finding little left to copy, that
lets the log start over), so the log stays bounded if this thread falls behind or stops.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable

COMMITS_PER_CHECKPOINT = 32  # to begin with: a short run's two transactions write ~30 pages
MAX_COMMITS_PER_CHECKPOINT = 1_024
TARGET_PAGES = 1_000  # new log pages a checkpoint copies, as SQLite's automatic one
# The writers' own automatic checkpoint (SQLite's default: 1,000 pages). In a busy loop it
# fires on the writing thread each time the log reaches it (two fsyncs there): at 4,000
# pages a sweep of short runs spent ~30 µs a run in it (a fifth of its commit time), at 8,000
# half that. The log file stays below ~32 MiB.
BACKSTOP_PAGES = 8_000
FORK_WAIT_SECONDS = 10.0


class Checkpointer:
    """Runs PASSIVE checkpoints of one database on a daemon thread, when asked."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        #: The thread's connection to the database: the backend's per-thread one, weakly
        #: (a backend dropped without ``close`` stops this thread, see ``SqliteBackend``).
        self._connect = weakref.WeakMethod(connect)  # type: ignore[arg-type]
        self._reset()
        _checkpointers.add(self)

    def _reset(self) -> None:
        self.running = threading.Lock()  # held while a checkpoint runs (a fork waits for it)
        self._state = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._commits = 0
        self.every = COMMITS_PER_CHECKPOINT  # write transactions between two checkpoints
        self._log_pages = 0  # in the log at the last checkpoint

    def committed(self) -> None:
        """A write transaction of this process committed: every ``every`` of them, wake the
        thread (started on first use). Called on the writing threads: a counter and, rarely,
        an event (an approximate count is enough)."""
        self._commits += 1
        if self._commits < self.every:
            return
        self._commits = 0
        if self._thread is None:
            with self._state:
                if self._thread is None:
                    self._wake, self._stop = threading.Event(), threading.Event()
                    self._thread = threading.Thread(
                        target=self._run,
                        args=(self._wake, self._stop),
                        name="trialbook-checkpoint",
                        daemon=True,
                    )
                    self._thread.start()
        self._wake.set()

    def _run(self, wake: threading.Event, stop: threading.Event) -> None:
        while True:
            wake.wait()
            wake.clear()
            if stop.is_set():
                return
            connect = self._connect()
            if connect is None:  # the backend is gone
                return
            with self.running, contextlib.suppress(Exception):
                # Best effort: a busy or failing checkpoint (or store) leaves it to the
                # backstop; the writers see any error of the store themselves.
                _, log_pages, _ = connect().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self._adapt(log_pages)
            del connect

    def _adapt(self, log_pages: int) -> None:
        """Aim the next checkpoint at ``TARGET_PAGES`` new log pages, from how many the last
        ``every`` transactions wrote (halving or doubling at most)."""
        if log_pages < 0:  # not in WAL mode
            return
        previous, self._log_pages = self._log_pages, log_pages
        new = log_pages - previous if log_pages >= previous else log_pages  # it restarted
        if new > 0:
            scale = min(2.0, max(0.5, TARGET_PAGES / new))
            self.every = max(1, min(MAX_COMMITS_PER_CHECKPOINT, round(self.every * scale)))

    def stop(self) -> None:
        """Stop the thread, after the checkpoint it may be running (before the backend
        closes its connections); a later commit starts a new one."""
        with self._state:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)

    def reset_after_fork(self) -> None:
        """In a forked child: no thread (it stayed in the parent), fresh locks."""
        self._reset()


_checkpointers: weakref.WeakSet[Checkpointer] = weakref.WeakSet()
_held_over_fork: list[threading.Lock] = []


def _before_fork() -> None:
    """No checkpoint in flight across a fork (a child would inherit SQLite's locks taken)."""
    for checkpointer in list(_checkpointers):
        if checkpointer.running.acquire(timeout=FORK_WAIT_SECONDS):  # never block a fork
            _held_over_fork.append(checkpointer.running)


def _after_fork() -> None:
    while _held_over_fork:
        _held_over_fork.pop().release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)
