"""The background writer: metric points buffered on the caller's thread, written in batches.

Each series (component, metric) has one buffer list here; a tracker keeps a reference to it
and ``log_metric`` only appends a ``(step, time, value)`` tuple (one atomic list operation:
no lock, no SQL, no wake-up). The writer takes what is buffered with a copy and a delete of
that prefix (each atomic), so a concurrent append is never lost and no grouping is needed. A
daemon thread writes every ``settings.flush_seconds()`` and refreshes the heartbeat of live
components every ``settings.heartbeat_seconds()``. ``flush()`` writes synchronously.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import warnings
from collections import Counter

from trialbook import settings
from trialbook.store.core import MetricPoint, SeriesKey, Store


class MetricWriter:
    """Buffers metric points for one store and writes them from a background thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()  # guards the buffer registry, not the buffers
        self.buffers: dict[SeriesKey, list[MetricPoint]] = {}
        self._users: Counter[SeriesKey] = Counter()
        self.running = False
        self._flush_lock = threading.Lock()
        self._live: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._warned = False

    # -- the hot path helpers --------------------------------------------------------------
    def start(self) -> None:
        """Start the background thread (idempotent; called lazily by the first point)."""
        with self._state_lock:
            if self.running:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="trialbook-writer", daemon=True)
            self.running = True
            self._thread.start()
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
            self._users[key] += 1
        if not self.running:
            self.start()
        return buffer

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
        with self._state_lock:
            names = list(self._live)
        if names:
            self.store.record_heartbeat(names, time.time())

    # -- flushing --------------------------------------------------------------------------
    def flush(self) -> int:
        """Write every buffered point now; returns how many were written."""
        with self._flush_lock:
            batches = self._take()
            written = 0
            if batches:
                try:
                    written = self.store.append_metric_points(batches)
                except BaseException:
                    for key, points in batches.items():
                        self.buffers[key][:0] = points  # keep order; the next flush retries
                    raise
            self._drop_unused()
            return written

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

    def _drop_unused(self) -> None:
        """Forget drained buffers no tracker holds any more (under the flush lock, so never
        while their points are being written)."""
        with self.lock:
            unused = [
                key for key, buffer in self.buffers.items() if not buffer and key not in self._users
            ]
            for key in unused:
                del self.buffers[key]

    def flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception as error:
            if not self._warned:
                self._warned = True
                warnings.warn(f"trialbook could not write metric points yet: {error}", stacklevel=2)

    def _run(self) -> None:
        stop = self._stop
        next_heartbeat = 0.0
        while True:
            stopped = stop.wait(settings.flush_seconds())
            self.flush_quietly()
            now = time.monotonic()
            if now >= next_heartbeat:
                with contextlib.suppress(Exception):
                    self.heartbeat()
                next_heartbeat = now + settings.heartbeat_seconds()
            if stopped:
                return

    def close(self) -> None:
        """Stop the thread after a last flush."""
        with self._state_lock:
            thread, self._thread = self._thread, None
            self.running = False
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)
        self.flush_quietly()

    def reset_after_fork(self) -> None:
        """In a forked child: drop the parent's buffer, locks, liveness and thread."""
        self.lock = threading.Lock()
        for buffer in self.buffers.values():
            buffer.clear()  # the child's trackers hold these very lists
        self.running = False
        self._flush_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._live = Counter()
        self._stop = threading.Event()
        self._thread = None
