"""The background writer: metric points buffered on the caller's thread, written in batches.

``log_metric`` only appends a tuple to ``pending`` under ``lock`` (no SQL, no wake-up). A
daemon thread writes the batch every ``settings.flush_seconds()`` and refreshes the heartbeat
of live components every ``settings.heartbeat_seconds()``. ``flush()`` writes synchronously.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import warnings
from collections import Counter

from trialbook import settings
from trialbook.store.base import MetricPoint, Store


class MetricWriter:
    """Buffers metric points for one store and writes them from a background thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.lock = threading.Lock()
        self.pending: list[MetricPoint] = []
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

    def append(self, point: MetricPoint) -> None:
        with self.lock:
            self.pending.append(point)
        if not self.running:
            self.start()

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
            with self.lock:
                batch, self.pending = self.pending, []
            if not batch:
                return 0
            try:
                return self.store.append_metric_points(batch)
            except BaseException:
                with self.lock:
                    self.pending[:0] = batch  # keep order; the next flush retries
                raise

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
        self.pending = []
        self.running = False
        self._flush_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._live = Counter()
        self._stop = threading.Event()
        self._thread = None
