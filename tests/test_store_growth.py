"""The store grows with what it holds, not without need: the change feed keeps a bounded
window, and a short series gets only the bucket levels it needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from trialbook.store import open_store, reset_store_cache


def _component() -> str:
    store = open_store()
    store.create_component("c", display_name=None, kind=None, tags={}, provenance=None)
    return "c"


def test_the_change_feed_keeps_a_bounded_window(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_CHANGES_KEPT", "100")
    reset_store_cache()
    store = open_store()
    name = _component()
    for index in range(1_000):
        store.set_parameters(name, {"p": index}, replace=False)
    latest, oldest = store.latest_change_cursor(), store.oldest_change_cursor()
    assert latest == 1_001
    assert 100 <= latest - oldest + 1 <= 110  # the window and at most a tenth more
    rows = sqlite3.connect(store_path).execute("SELECT count(*) FROM changes").fetchone()[0]
    assert rows == latest - oldest + 1
    assert [change.seq for change in store.changes_since(latest - 5)] == list(
        range(latest - 4, latest + 1)
    )


def test_the_change_feed_is_kept_whole_below_the_window() -> None:
    store = open_store()
    name = _component()
    for index in range(300):
        store.set_parameters(name, {"p": index}, replace=False)
    assert (store.oldest_change_cursor(), store.latest_change_cursor()) == (1, 301)
