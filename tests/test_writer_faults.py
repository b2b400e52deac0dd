"""Nothing lost (#11): a point the store refuses never blocks the writer, a store outage keeps
every point, a tight loop is held back by a bounded buffer, the heartbeat has its own timer."""

from __future__ import annotations

import sqlite3
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import trialbook as tb
from trialbook.store import metric_writer, open_store
from trialbook.store.writer import MetricWriter


def _values(store_path: Path, component: str, metric: str) -> list[tuple[int, float]]:
    with sqlite3.connect(store_path) as connection:
        return connection.execute(
            "SELECT p.step, p.value FROM metric_points p"
            " JOIN metric_series s ON s.id = p.series_id JOIN components c ON c.id = s.component_id"
            " WHERE c.name = ? AND s.name = ? ORDER BY p.seq",
            (component, metric),
        ).fetchall()


@pytest.mark.sqlite_only  # reads the SQLite file itself
def test_points_the_store_refuses_are_reported_once_and_the_rest_is_written(
    store_path: Path,
) -> None:
    healthy, other = tb.Tracker.create("healthy"), tb.Tracker.create("other")
    for step in range(300):
        healthy.log_metric("loss", float(step))
        other.log_metric("acc", float(step))
    # Points that slipped past validation (e.g. from an older caller) and that SQLite
    # refuses: a step beyond 64 bits, a NaN time (NOT NULL constraint).
    buffer = metric_writer().series_buffer(healthy.trial_component_name, "loss")
    buffer[100:100] = [(2**64, time.time(), 7.5)]
    buffer[200:200] = [(5, float("nan"), 8.5)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tb.flush()
        tb.flush()  # nothing is retried
    messages = [str(warning.message) for warning in caught]
    refused = [message for message in messages if "dropped one point" in message]
    assert len(refused) == 2, messages
    assert "'loss'" in refused[0] and "7.5" in refused[0] and str(2**64) in refused[0]
    assert "'loss'" in refused[1] and "8.5" in refused[1]
    assert metric_writer().pending_points == 0
    assert _values(store_path, healthy.trial_component_name, "loss") == [
        (step, float(step)) for step in range(300)
    ]
    assert len(_values(store_path, other.trial_component_name, "acc")) == 300
    healthy.log_metric("loss", 1.0)  # the writer goes on
    healthy.close()
    other.close()
    assert len(_values(store_path, healthy.trial_component_name, "loss")) == 301


class _FullDisk:
    """The real store, but the first ``failures`` writes of points fail like a full disk."""

    def __init__(self, store: Any, failures: int) -> None:
        self.store, self.failures = store, failures

    def append_metric_points(self, batches: Any) -> int:
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return self.store.append_metric_points(batches)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_a_store_outage_keeps_every_point_in_order_and_retries(store_path: Path) -> None:
    tracker = tb.Tracker.create("outage")
    writer = MetricWriter(_FullDisk(open_store(), failures=2))  # type: ignore[arg-type]
    buffer = writer.series_buffer(tracker.trial_component_name, "m")
    buffer.extend((step, time.time(), float(step)) for step in range(500))
    for _ in range(2):
        with pytest.raises(sqlite3.OperationalError, match="disk is full"):
            writer.flush()
        buffer.append((len(buffer), time.time(), float(len(buffer))))  # logged meanwhile
    assert writer.pending_points == 502
    assert writer.flush() == 502
    assert _values(store_path, tracker.trial_component_name, "m") == [
        (step, float(step)) for step in range(502)
    ]
    writer.close()
    tracker.close()


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_the_background_writer_retries_an_outage_with_one_warning(store_path: Path) -> None:
    tracker = tb.Tracker.create("outage")
    writer = MetricWriter(_FullDisk(open_store(), failures=3))  # type: ignore[arg-type]
    buffer = writer.series_buffer(tracker.trial_component_name, "m")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buffer.extend((step, time.time(), 1.0) for step in range(100))
        deadline = time.monotonic() + 30
        while writer.pending_points and time.monotonic() < deadline:
            time.sleep(0.05)
        writer.close()
    messages = [str(warning.message) for warning in caught]
    assert sum("could not write metric points yet" in m for m in messages) == 1, messages
    assert any("none were lost" in m for m in messages)
    assert len(_values(store_path, tracker.trial_component_name, "m")) == 100
    tracker.close()


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_a_tight_loop_waits_for_the_writer_past_the_bound(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_MAX_BUFFERED_POINTS", "1000")
    tracker = tb.Tracker.create("tight")
    tracker.log_metric("m", 0.0)
    writer = metric_writer()
    assert writer.series_limit == 1000
    total, done = 20_000, threading.Event()
    caught: list[warnings.WarningMessage] = []

    def loop() -> None:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always")
            for step in range(1, total):
                tracker.log_metric("m", float(step))
        caught.extend(recorded)
        done.set()

    blocker = sqlite3.connect(store_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the store: nothing is written
    thread = threading.Thread(target=loop)
    thread.start()
    time.sleep(1.5)
    assert not done.is_set()  # held back, not buffering without bound
    assert writer.pending_points <= 2 * 1000
    blocker.execute("ROLLBACK")
    blocker.close()
    assert done.wait(60)
    thread.join()
    backpressure = [str(w.message) for w in caught if "backpressure" in str(w.message)]
    assert len(backpressure) == 1 and "log_metric now waits" in backpressure[0]
    tracker.close()
    assert _values(store_path, tracker.trial_component_name, "m") == [
        (step, float(step)) for step in range(total)
    ]


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_the_heartbeat_beats_while_a_flush_takes_long(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_HEARTBEAT_SECONDS", "0.1")
    tracker = tb.Tracker.create("beating")
    writer = metric_writer()

    def heartbeat_time() -> float:
        with sqlite3.connect(store_path) as connection:
            return connection.execute(
                "SELECT heartbeat_time FROM components WHERE name = ?",
                (tracker.trial_component_name,),
            ).fetchone()[0]

    tracker.log_metric("m", 1.0)
    with writer._flush_lock:  # a flush that takes long (a big batch, a slow disk)
        first = heartbeat_time() or 0.0
        time.sleep(1.0)
        assert (heartbeat_time() or 0.0) > first
    tracker.close()
