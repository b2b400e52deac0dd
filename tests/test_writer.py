"""The background writer: per-series buffers, multi-row inserts, nothing lost or reordered."""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
import warnings
from collections.abc import Callable

import pytest

import trialbook as tb
from trialbook.store import metric_writer, open_store


def _series_rows(
    store_rows: Callable[..., list[tuple]], component: str, metric: str
) -> list[tuple]:
    return store_rows(
        "SELECT p.seq, p.step, p.value FROM metric_points p"
        " JOIN metric_series s ON s.id = p.series_id JOIN components c ON c.id = s.component_id"
        " WHERE c.name = ? AND s.name = ? ORDER BY p.seq",
        (component, metric),
    )


@pytest.mark.parametrize("sizes", [(1, 1023, 1025, 2049), (5000, 3, 64)])
def test_series_of_any_size_keep_order_and_exact_summaries(
    store_rows: Callable[..., list[tuple]], sizes: tuple[int, ...]
) -> None:
    rng = random.Random(7)
    specials = [math.nan, math.inf, -math.inf]
    logged: dict[tuple[str, str], list[float]] = {}
    trackers = [tb.Tracker.create(f"w{i}") for i in range(2)]
    for tracker in trackers:
        for index, size in enumerate(sizes):
            values = [rng.gauss(0, 1) for _ in range(size)]
            for _ in range(size // 100):
                values[rng.randrange(size)] = rng.choice(specials)
            logged[(tracker.trial_component_name, f"m{index}")] = values
    # interleave the series so one flush holds parts of all of them
    for step in range(max(sizes)):
        for (component, metric), values in logged.items():
            if step < len(values):
                tracker = next(t for t in trackers if t.trial_component_name == component)
                tracker.log_metric(metric, values[step])
    tb.flush()
    summaries = open_store().metric_summaries([t.trial_component_name for t in trackers])
    for (component, metric), values in logged.items():
        rows = _series_rows(store_rows, component, metric)
        assert [row[0] for row in rows] == list(range(len(values)))
        assert [row[1] for row in rows] == list(range(len(values)))
        stored = [math.nan if row[2] is None else row[2] for row in rows]
        assert [repr(v) for v in stored] == [repr(v) for v in values]
        summary = summaries[component][metric]
        present = [v for v in values if not math.isnan(v)]
        finite = [v for v in values if math.isfinite(v)]
        assert summary.count == len(values)
        assert summary.min == min(present) and summary.max == max(present)
        if len(finite) == len(present):
            assert summary.avg == pytest.approx(statistics.fmean(finite))
            assert summary.stddev == pytest.approx(statistics.pstdev(finite))
        assert repr(summary.last) == repr(values[-1])
    for tracker in trackers:
        tracker.close()


def test_points_appended_while_flushing_are_neither_lost_nor_reordered(
    store_rows: Callable[..., list[tuple]],
) -> None:
    tracker = tb.Tracker.create("race")
    total = 200_000
    done = threading.Event()

    def log() -> None:
        for step in range(total):
            tracker.log_metric("m", float(step))
        done.set()

    thread = threading.Thread(target=log)
    thread.start()
    while not done.is_set():
        tb.flush()
    thread.join()
    tb.flush()
    rows = _series_rows(store_rows, tracker.trial_component_name, "m")
    assert [row[1] for row in rows] == list(range(total))
    assert [row[2] for row in rows] == [float(step) for step in range(total)]
    tracker.close()


def test_closed_trackers_buffers_are_dropped_and_logging_after_close_is_refused() -> None:
    writer = metric_writer()
    tracker = tb.Tracker.create("closing")
    key = (tracker.trial_component_name, "m")
    tracker.log_metric("m", 1.0)
    assert key in writer.buffers and writer.pending_points == 1
    tracker.close()
    tb.flush()
    assert key not in writer.buffers
    with pytest.raises(tb.TrialbookError, match="is closed"):
        tracker.log_metric("m", 2.0)  # once closed, a tracker logs nothing more (#11)
    assert key not in writer.buffers
    with tracker:  # re-entering continues the component and re-registers the series
        tracker.log_metric("m", 2.0)
    tb.flush()
    summary = open_store().metric_summaries([key[0]])[key[0]]["m"]
    assert (summary.count, summary.last, summary.last_step) == (2, 2.0, 1)
    tracker.close()


def test_a_logging_thread_past_the_bound_writes_alone_and_leaves_nothing_behind(
    store_rows: Callable[..., list[tuple]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the bound the logging thread writes its own points (backpressure); the writer
    thread then stands aside (two threads writing take turns at the GIL at every round trip)
    but still writes what is logged after the logging thread's last write."""
    monkeypatch.setenv("TRIALBOOK_MAX_BUFFERED_POINTS", "1000")
    tracker = tb.Tracker.create("alone")
    tracker.log_metric("m", 0.0)
    writer = metric_writer()
    assert writer.series_limit == 1000
    writers: list[str] = []
    append = writer.store.append_metric_points

    def recorded(batches):  # type: ignore[no-untyped-def]
        written = append(batches)
        writers.append(threading.current_thread().name)  # once written
        return written

    monkeypatch.setattr(writer.store, "append_metric_points", recorded)
    total = 200_000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the backpressure warning
        for step in range(1, total):
            tracker.log_metric("m", float(step))
    by_caller = writers.count(threading.current_thread().name)
    assert by_caller >= 150  # ~200 writes of 1,000 points
    assert len(writers) - by_caller <= 2  # the writer thread's, at most before the first
    writes = len(writers)
    tracker.log_metric("m", float(total))  # below the bound: the writer thread's to write
    deadline = time.monotonic() + 30
    while len(writers) == writes and time.monotonic() < deadline:
        time.sleep(0.05)
    assert writers[writes:] == ["trialbook-writer"] and writer.pending_points == 0
    rows = _series_rows(store_rows, tracker.trial_component_name, "m")
    assert [row[2] for row in rows] == [float(step) for step in range(total + 1)]
    tracker.close()
