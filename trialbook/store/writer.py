"""The background writer: metric points buffered on the caller's thread, written in batches.

Each series (component, metric) has one buffer list here; a tracker keeps a reference to it
and ``log_metric`` only appends a ``(step, time, value)`` tuple (one atomic list operation:
no lock, no SQL, no wake-up). The writer takes what is buffered with a copy and a delete of
that prefix (each atomic), so a concurrent append is never lost and no grouping is needed.

Nothing is lost, and memory stays bounded:
- A daemon thread writes every ``settings.flush_seconds()``; ``flush()`` writes synchronously.
- A series buffer holds at most ``series_limit`` points (0.3 s of the measured write rate, at
  most 32,768). Past it the logging thread writes the buffered points itself before going
  on (backpressure, warned about once) rather than grow memory or drop points, so a SIGKILL
  loses at most the buffered points plus the batch being written. The daemon thread skips
  a round in which a logging thread wrote that way (two writing threads would take turns
  at the GIL at every round trip).
- A batch the store refuses is split in halves until the points it refuses are alone; those
  are reported once (a warning naming the metric and the value) and dropped, every other
  point is written. Errors of the store itself (locked, disk full, I/O) keep every point and
  are retried with a growing delay.
- The heartbeat of live components has its own thread and timer, never behind a flush.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
import time
import warnings
import weakref
from collections import Counter
from collections.abc import Sequence
from typing import Any

from trialbook import settings
from trialbook.store.core import MetricPoint, SeriesKey, Store

# Errors that belong to the points written, not to the store: splitting the batch finds them.
POINT_ERRORS = (
    OverflowError,
    ValueError,
    TypeError,
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
    sqlite3.DataError,
)
MAX_RETRY_SECONDS = 5.0
SERIES_LIMIT_RANGE = (256, 32_768)
# Buffer at most this many seconds of writing: a SIGKILL then loses the buffer plus the batch
# being written, well under a second of points, however fast or slow the store writes.
BUFFER_SECONDS = 0.3
RATE_SAMPLE_POINTS = 4096  # batches this large measure the store's write rate
FORK_WAIT_SECONDS = 10.0


class MetricWriter:
    """Buffers metric points for one store and writes them from a background thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()  # guards the buffer registry, not the buffers
        self.buffers: dict[SeriesKey, list[MetricPoint]] = {}
        self._users: Counter[SeriesKey] = Counter()
        self.running = False
        self.series_limit = SERIES_LIMIT_RANGE[1]  # read by log_metric on every call
        self.write_rate: float | None = None  # points/s of recent large batches
        self._max_buffered = settings.max_buffered_points()  # read once: a run asks twice
        self._flush_lock = threading.Lock()
        self._live: Counter[str] = Counter()
        self._state_lock = threading.Lock()
        self._reset_threads()
        self._warned_store_error = False
        self._warned_backpressure = False
        _writers.add(self)

    def _reset_threads(self) -> None:
        self._heartbeat_lock = threading.Lock()  # held while a heartbeat is being written
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._flushed = threading.Condition()  # notified after every background flush
        self._flush_count = 0
        self._caller_flushes = 0  # flushes of logging threads under backpressure
        self._thread: threading.Thread | None = None
        self._heartbeat_thread: threading.Thread | None = None

    # -- the hot path helpers --------------------------------------------------------------
    def start(self) -> None:
        """Start the writer and heartbeat threads (idempotent; called lazily)."""
        with self._state_lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="trialbook-writer", daemon=True)
            self._heartbeat_thread = threading.Thread(
                target=self._beat, name="trialbook-heartbeat", daemon=True
            )
            self.running = True
            self._thread.start()
            self._heartbeat_thread.start()
            if "multiprocessing" in sys.modules:
                # A multiprocessing child ends with os._exit (no atexit); its finalizers run.
                from multiprocessing import util

                util.Finalize(None, self.flush_quietly, exitpriority=100)

    def series_buffer(self, component_name: str, metric_name: str) -> list[MetricPoint]:
        """The buffer a tracker appends this series' points to (shared by its trackers)."""
        key = (component_name, metric_name)
        with self.lock:
            buffer = self.buffers.get(key)
            if buffer is None:
                buffer = self.buffers[key] = []
                self._update_series_limit()
            self._users[key] += 1
        if not self.running:
            self.start()
        return buffer

    def _update_series_limit(self) -> None:
        """Share the bound between the series (under ``lock``): ``BUFFER_SECONDS`` of the
        measured write rate, at most ``settings.max_buffered_points()``."""
        low, high = SERIES_LIMIT_RANGE
        total = self._max_buffered
        if self.write_rate is not None:
            total = min(total, int(self.write_rate * BUFFER_SECONDS))
        self.series_limit = min(high, max(low, total // max(len(self.buffers), 1)))

    def _measured(self, points: int, seconds: float) -> None:
        """Learn the store's write rate from a large batch (smoothed), and re-bound."""
        if points < RATE_SAMPLE_POINTS or seconds <= 0:
            return
        rate = points / seconds
        previous = self.write_rate
        self.write_rate = rate if previous is None else (previous + rate) / 2
        with self.lock:
            self._update_series_limit()

    def release(self, keys: list[SeriesKey]) -> None:
        """A tracker stopped using these buffers; unused ones are dropped once drained."""
        with self.lock:
            for key in keys:
                self._users[key] -= 1
                if self._users[key] <= 0:
                    del self._users[key]

    @property
    def pending_points(self) -> int:
        """How many points wait for the next flush."""
        with self.lock:
            buffers = list(self.buffers.values())
        return sum(len(buffer) for buffer in buffers)

    def wait_for_room(self, buffer: list[MetricPoint]) -> None:
        """Backpressure: called by ``log_metric`` when ``buffer`` is full; returns once the
        buffered points are written (as long as the store needs, losing nothing).

        The logging thread writes them itself: handing the batch to the writer thread makes
        the two threads take turns at the GIL (~20% slower end to end, measured). If the
        store fails, it waits for the writer thread's retries instead.
        """
        if threading.current_thread() in (self._thread, self._heartbeat_thread):
            return
        if not self._warned_backpressure:
            self._warned_backpressure = True
            warnings.warn(
                f"trialbook: metric points are logged faster than the store writes them "
                f"({len(buffer):,} points wait in one series); log_metric now waits while "
                "they are written (backpressure) so memory stays bounded and no point is lost. "
                "Log less often (e.g. every few steps) to avoid the wait.",
                stacklevel=3,
            )
        while len(buffer) >= self.series_limit:
            if not self.running:
                self.start()
            try:
                self.flush()
                self._caller_flushes += 1
                continue
            except Exception:  # the store failed: the writer thread retries, with backoff
                pass
            with self._flushed:
                count = self._flush_count
                self._wake.set()
                self._flushed.wait_for(lambda count=count: self._flush_count != count, 1.0)

    # -- liveness --------------------------------------------------------------------------
    def add_live(self, component_name: str) -> None:
        """Heartbeat this component until ``remove_live`` (InProgress in this process)."""
        with self._state_lock:
            self._live[component_name] += 1
        if not self.running:
            self.start()

    def remove_live(self, component_name: str) -> None:
        with self._state_lock:
            self._live[component_name] -= 1
            if self._live[component_name] <= 0:
                del self._live[component_name]

    def heartbeat(self) -> None:
        """Beat every live component now; returns after any beat in flight, so once
        ``remove_live`` and ``heartbeat`` have returned no beat names that component again."""
        with self._heartbeat_lock:
            with self._state_lock:
                names = list(self._live)
            if names:
                self.store.record_heartbeat(names, time.time())

    def _beat(self) -> None:
        stop = self._stop
        while True:
            with contextlib.suppress(Exception):
                self.heartbeat()
            if stop.wait(settings.heartbeat_seconds()):
                return

    # -- flushing --------------------------------------------------------------------------
    def flush(self) -> int:
        """Write every buffered point now; returns how many were written.

        Points the store refuses are reported (a warning each) and dropped; an error of the
        store itself leaves every unwritten point buffered, in order, and is raised.
        """
        with self._flush_lock:
            batches = self._take()
            written = self._write(batches) if batches else 0
            self._drop_unused()
            return written

    def flush_and_finish(self, component_name: str, **fields: Any) -> None:
        """Write every buffered point and update a component's fields (its closing status)
        in one transaction; when the store refuses a point, the points go the careful way of
        ``flush`` and the fields on their own."""
        with self._flush_lock:
            batches = self._take()
            try:
                self.store.finish_component(component_name, batches, **fields)
                self._drop_unused()
                return
            except POINT_ERRORS:
                pass
            except BaseException:
                self._put_back(list(batches.items()))
                raise
            self._write_split(list(batches.items()))
            self._drop_unused()
        self.store.update_component(component_name, **fields)

    def _take(self) -> dict[SeriesKey, list[MetricPoint]]:
        with self.lock:
            buffers = list(self.buffers.items())
        batches = {}
        for key, buffer in buffers:
            if buffer:
                points = buffer[:]  # atomic; points appended after it stay in the buffer
                del buffer[: len(points)]
                batches[key] = points
        return batches

    def _write(self, batches: dict[SeriesKey, list[MetricPoint]]) -> int:
        started = time.perf_counter()
        try:
            written = self.store.append_metric_points(batches)
            self._measured(written, time.perf_counter() - started)
            return written
        except POINT_ERRORS:
            pass
        except BaseException:
            self._put_back(list(batches.items()))
            raise
        return self._write_split([(key, points) for key, points in batches.items()])

    def _write_split(self, chunks: list[tuple[SeriesKey, Sequence[MetricPoint]]]) -> int:
        """Write ``chunks`` one series part at a time, halving a part the store refuses."""
        written = 0
        chunks.reverse()  # a stack: the next chunk to write is last
        while chunks:
            key, points = chunks.pop()
            try:
                written += self.store.append_metric_points({key: points})
            except POINT_ERRORS as error:
                if len(points) == 1:
                    self._report_refused(key, points[0], error)
                else:
                    middle = len(points) // 2
                    chunks += [(key, points[middle:]), (key, points[:middle])]
            except BaseException:
                chunks.append((key, points))
                chunks.reverse()
                self._put_back(chunks)
                raise
        return written

    def _put_back(self, chunks: Sequence[tuple[SeriesKey, Sequence[MetricPoint]]]) -> None:
        """Return unwritten points to the front of their buffers, in order (the next flush
        retries them; points logged meanwhile stay after them)."""
        merged: dict[SeriesKey, list[MetricPoint]] = {}
        for key, points in chunks:
            merged.setdefault(key, []).extend(points)
        with self.lock:
            for key, points in merged.items():
                buffer = self.buffers.get(key)
                if buffer is None:
                    buffer = self.buffers[key] = []
                buffer[:0] = points

    @staticmethod
    def _report_refused(key: SeriesKey, point: MetricPoint, error: BaseException) -> None:
        component, metric = key
        step, when, value = point
        warnings.warn(
            f"trialbook dropped one point of metric {metric!r} (component {component!r}, "
            f"step {step!r}, time {when!r}, value {value!r}): the store refused it "
            f"({type(error).__name__}: {error}). The other points were written.",
            stacklevel=2,
        )

    def _drop_unused(self) -> None:
        """Forget drained buffers no tracker holds any more (under the flush lock, so never
        while their points are being written)."""
        with self.lock:
            unused = [
                key for key, buffer in self.buffers.items() if not buffer and key not in self._users
            ]
            for key in unused:
                del self.buffers[key]
            if unused:
                self._update_series_limit()

    def flush_quietly(self) -> bool:
        """Flush; an error of the store is warned about once per outage. True if it worked."""
        try:
            self.flush()
        except Exception as error:
            if not self._warned_store_error:
                self._warned_store_error = True
                warnings.warn(
                    f"trialbook could not write metric points yet ({self.pending_points:,} "
                    f"kept, retrying): {type(error).__name__}: {error}",
                    stacklevel=2,
                )
            return False
        if self._warned_store_error:
            self._warned_store_error = False
            warnings.warn("trialbook writes metric points again; none were lost", stacklevel=2)
        return True

    def _run(self) -> None:
        stop, wake = self._stop, self._wake
        delay = settings.flush_seconds()
        caller_flushes = self._caller_flushes
        while True:
            woken = wake.wait(delay)
            wake.clear()
            stopping = stop.is_set()
            seen, caller_flushes = caller_flushes, self._caller_flushes
            if not (woken or stopping) and caller_flushes != seen:
                # A logging thread writes its own points (backpressure) and did within this
                # interval: a flush here too would only make the two threads take turns at
                # the GIL at every round trip of both.
                continue
            if self.flush_quietly():
                delay = settings.flush_seconds()
            else:  # the store failed: retry later, waking waiters so they see it is not done
                delay = min(delay * 2, MAX_RETRY_SECONDS)
            with self._flushed:
                self._flush_count += 1
                self._flushed.notify_all()
            if stopping:
                return

    def close(self) -> None:
        """Stop the threads after a last flush."""
        with self._state_lock:
            threads = [self._thread, self._heartbeat_thread]
            self._thread = self._heartbeat_thread = None
            self.running = False
            self._stop.set()
            self._wake.set()
        for thread in threads:
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout=60)
        self.flush_quietly()

    def reset_after_fork(self) -> None:
        """In a forked child: drop the parent's buffer, locks, liveness and threads."""
        self.lock = threading.Lock()
        for buffer in self.buffers.values():
            buffer.clear()  # the child's trackers hold these very lists
        self.running = False
        self._flush_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._live = Counter()
        self._reset_threads()

    # -- fork safety -----------------------------------------------------------------------
    def quiesce(self) -> list[threading.Lock]:
        """Before a fork: wait for this writer's SQL in flight (a flush, a heartbeat) to end
        and hold it back. A child forked while SQLite runs in another thread inherits
        SQLite's process-wide locks taken and can hang on its first write."""
        held = []
        for lock in (self._flush_lock, self._heartbeat_lock):
            if lock.acquire(timeout=FORK_WAIT_SECONDS):  # best effort: never block a fork
                held.append(lock)
        return held


_writers: weakref.WeakSet[MetricWriter] = weakref.WeakSet()
_held_over_fork: list[threading.Lock] = []


def _before_fork() -> None:
    for writer in list(_writers):
        _held_over_fork.extend(writer.quiesce())


def _after_fork() -> None:
    """In the parent and in the child (where the writers of open stores then get fresh
    locks and threads from ``reset_after_fork``)."""
    while _held_over_fork:
        _held_over_fork.pop().release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)
