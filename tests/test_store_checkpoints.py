"""SQLite's write-ahead log is checkpointed by a thread of the store, not inside the writing
thread's commits, and stays bounded however fast a process writes."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import trialbook as tb
from trialbook.store import create_store, open_store, reset_store_cache, resolve_store_location
from trialbook.store.sqlite import checkpoints

pytestmark = pytest.mark.sqlite_only


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "trialbook-checkpoint" and t.is_alive()]


@contextlib.contextmanager
def thread_parked(thread: threading.Thread) -> Iterator[None]:
    """Wait until ``thread`` waits to be woken (no checkpoint of it in flight or pending)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident or 0)
        if frame is not None and frame.f_code.co_name == "wait":
            break
        time.sleep(0.01)
    yield


def test_the_checkpoint_thread_copies_the_log_into_the_database(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
    exp = tb.Experiment.create("sweep", description="d")
    # The writing thread never checkpoints: only the thread can grow the database file.
    open_store().backend.connection().execute("PRAGMA wal_autocheckpoint = 0")  # type: ignore[attr-defined]
    size = store_path.stat().st_size
    for index in range(200):
        with exp.run(variables={"i": index}) as tracker:
            tracker.log_metric("loss", 1.0)
    deadline = time.monotonic() + 10
    while store_path.stat().st_size == size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store_path.stat().st_size > size


def test_the_log_stays_bounded_through_a_sweep(store_path: Path) -> None:
    exp = tb.Experiment.create("sweep", description="d")
    for index in range(300):  # ~9,000 log pages written in all: more than the bound below
        with exp.run(variables={"i": index}) as tracker:
            tracker.log_metric("loss", 1.0)
    page = 4096 + 24  # a log frame
    wal = store_path.with_name(store_path.name + "-wal")
    assert wal.stat().st_size < 2 * checkpoints.BACKSTOP_PAGES * page
    assert tb.Experiment.load("sweep").dataframe().shape[0] == 300


def test_closing_the_store_stops_the_thread(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
    others = set(checkpoint_threads())  # of stores other tests left open
    tb.Experiment.create("a", description="d")
    tb.Experiment.create("b", description="d")
    (thread,) = set(checkpoint_threads()) - others
    reset_store_cache()
    assert not thread.is_alive()
    tb.Experiment.create("c", description="d")  # a store opened again checkpoints again
    tb.Experiment.create("d", description="d")
    assert len(set(checkpoint_threads()) - others) == 1


def test_a_store_dropped_without_closing_stops_its_thread(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "COMMITS_PER_CHECKPOINT", 1)
    others = set(checkpoint_threads())
    location = resolve_store_location()
    store = create_store(location)
    for name in ("a", "b"):
        store.create_experiment(
            name, description=None, hypothesis=None, objective=None, variables=None, tags={}
        )
    (thread,) = set(checkpoint_threads()) - others
    with thread_parked(thread):
        del store
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_the_cadence_follows_the_pages_written() -> None:
    """Each checkpoint aims at SQLite's own cadence: about TARGET_PAGES new log pages."""

    class Backend:
        def connection(self) -> None:
            raise AssertionError("not reached")

    backend = Backend()
    checkpointer = checkpoints.Checkpointer(backend.connection)  # type: ignore[arg-type]
    first = checkpointer.every
    checkpointer._adapt(4 * checkpoints.TARGET_PAGES)  # too many pages: wake twice as often
    assert checkpointer.every == first // 2
    checkpointer._adapt(4 * checkpoints.TARGET_PAGES + 100)  # too few: half as often
    assert checkpointer.every == first
    checkpointer._adapt(checkpoints.TARGET_PAGES)  # the log restarted since: on target
    assert checkpointer.every == first
    checkpointer._adapt(-1)  # not in WAL mode: nothing learnt
    assert checkpointer.every == first
