"""The store grows with what it holds, not without need: the change feed keeps a bounded
window, and a short series gets only the bucket levels it needs."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from trialbook.store import open_store, reset_store_cache
from trialbook.store.core import buckets
from trialbook.store.core.tallies import TALLY_COLUMNS


def _component() -> str:
    store = open_store()
    store.create_component("c", display_name=None, kind=None, tags={}, provenance=None)
    return "c"


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
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


def _buckets(store_path: Path, series_name: str) -> dict[tuple[int, int], tuple]:
    connection = sqlite3.connect(store_path)
    rows = connection.execute(
        "SELECT b.* FROM metric_buckets b JOIN metric_series s ON s.id = b.series_id"
        " WHERE s.name = ? ORDER BY b.level, b.bucket",
        (series_name,),
    ).fetchall()
    return {(row[1], row[2]): row[3:] for row in rows}


def _expected_buckets(values: list[float]) -> dict[tuple[int, int], tuple]:
    """Every bucket of the levels a series of these points needs, from the points alone."""
    expected = {}
    level = 0
    while len(values) > buckets.bucket_width(level) and level < buckets.BUCKET_LEVELS:
        width = buckets.bucket_width(level)
        for bucket in range(-(-len(values) // width)):
            seqs = range(bucket * width, min(len(values), (bucket + 1) * width))
            present = [seq for seq in seqs if values[seq] == values[seq]]
            low = min(present, key=lambda seq: (values[seq], seq)) if present else None
            high = min(present, key=lambda seq: (-values[seq], seq)) if present else None
            nan = next((seq for seq in seqs if values[seq] != values[seq]), None)

            def point(seq: int | None) -> tuple:
                if seq is None:
                    return (None, None, None, None)
                value = values[seq] if values[seq] == values[seq] else None
                return (seq, seq * 10, 1000.0 + seq, value)

            expected[(level, bucket)] = (
                len(seqs),
                *point(seqs[0]),
                *point(seqs[-1]),
                *point(low),
                *point(high),
                *point(nan)[:3],
            )
        level += 1
    return expected


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
@pytest.mark.parametrize("length", [1, 10, 16, 17, 64, 65, 300, 1_100, 5_000])
def test_a_series_has_the_bucket_levels_it_needs_and_they_hold_its_points(
    store_path: Path, length: int
) -> None:
    """Written in batches of every size (so that levels begin mid-bucket and mid-batch), the
    buckets equal those computed from the points, at exactly the levels the length needs."""
    store = open_store()
    name = _component()
    values = [
        math.nan if seq % 37 == 5 else math.sin(seq * 0.7) * (seq % 11) for seq in range(length)
    ]
    sizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]
    seq = 0
    while seq < length:
        size = min(sizes[seq % len(sizes)], length - seq)
        store.append_metric_points(
            {(name, "m"): [(s * 10, 1000.0 + s, values[s]) for s in range(seq, seq + size)]}
        )
        seq += size
    assert _buckets(store_path, "m") == _expected_buckets(values)
    assert len({level for level, _ in _buckets(store_path, "m")}) == buckets.levels(length)


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_opening_a_schema_2_store_drops_the_levels_a_series_does_not_need(
    store_path: Path,
) -> None:
    """Schema 1 and 2 kept all eight levels for every series; the next schema keeps only
    those a series needs, and reads and later writes go on from there."""
    store = open_store()
    name = _component()
    values = [float(seq % 7) for seq in range(40)]
    points = [(seq * 10, 1000.0 + seq, value) for seq, value in enumerate(values)]
    store.append_metric_points({(name, "m"): points[:20]})
    reset_store_cache()
    connection = sqlite3.connect(store_path)
    with connection:  # what schema 2 left: every level, each one bucket of the 20 points
        connection.executemany(
            "INSERT INTO metric_buckets SELECT series_id, ?, 0, count, first_seq, first_step,"
            " first_time, first_value, last_seq, last_step, last_time, last_value, min_seq,"
            " min_step, min_time, min_value, max_seq, max_step, max_time, max_value, nan_seq,"
            " nan_step, nan_time FROM metric_buckets WHERE level = 0 AND bucket = 0",
            [(level,) for level in range(1, buckets.BUCKET_LEVELS)],
        )
        connection.execute("PRAGMA user_version = 2")
        # nor had it schema 4's tallies (migration 4 adds them again)
        connection.execute("DROP INDEX trials_running")
        connection.execute("DROP INDEX trials_activity")
        connection.execute("ALTER TABLE trials DROP COLUMN stored_status")
        for column in TALLY_COLUMNS.values():
            connection.execute(f"ALTER TABLE experiments DROP COLUMN {column}")
        connection.execute("ALTER TABLE experiments DROP COLUMN trial_count")
        # nor schema 5's sole components and lookup indexes
        for index in ("trials_sole_component", "parameters_lookup", "metric_series_lookup"):
            connection.execute(f"DROP INDEX {index}")
        connection.execute("ALTER TABLE trials DROP COLUMN sole_component")
        connection.execute("DROP TABLE experiment_columns")  # nor schema 6's catalogue
    connection.close()
    store = open_store()
    assert {level for level, _ in _buckets(store_path, "m")} == {0}
    store.append_metric_points({(name, "m"): points[20:]})
    assert _buckets(store_path, "m") == _expected_buckets(values)


@pytest.mark.sqlite_only  # reads or breaks the SQLite file itself
def test_opening_a_schema_6_store_keeps_the_change_feed_and_its_seqs_ascending(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 6 numbered changes with AUTOINCREMENT (a ``sqlite_sequence`` row rewritten
    by every write); schema 7 with the plain rowid key: the rows, their seqs and the
    cursors stay, and new rows go on after the newest, pruned or not."""
    monkeypatch.setenv("TRIALBOOK_CHANGES_KEPT", "100")
    reset_store_cache()
    store = open_store()
    name = _component()
    for index in range(250):
        store.set_parameters(name, {"p": index}, replace=False)
    before = store.changes_since(0, 1_000)
    reset_store_cache()
    connection = sqlite3.connect(store_path)
    with connection:  # what schema 6 left: the same rows in an AUTOINCREMENT table
        connection.execute("ALTER TABLE changes RENAME TO changes_v6")
        connection.execute(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL,"
            " kind TEXT NOT NULL, entity_type TEXT NOT NULL, entity_name TEXT NOT NULL,"
            " experiment_name TEXT, payload TEXT NOT NULL DEFAULT '{}')"
        )
        connection.execute("INSERT INTO changes SELECT * FROM changes_v6")
        connection.execute("DROP TABLE changes_v6")
        connection.execute("PRAGMA user_version = 6")
    assert connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
    connection.close()
    store = open_store()
    assert store.changes_since(0, 1_000) == before
    for index in range(250, 400):  # prunes again on the way
        store.set_parameters(name, {"p": index}, replace=False)
    seqs = [change.seq for change in store.changes_since(0, 1_000)]
    assert seqs == list(range(seqs[0], before[-1].seq + 151))
    assert seqs[0] > before[0].seq  # pruned since
    connection = sqlite3.connect(store_path)
    version, sql = connection.execute(
        "SELECT (SELECT user_version FROM pragma_user_version), sql FROM sqlite_master"
        " WHERE name = 'changes'"
    ).fetchone()
    assert version == 7 and "AUTOINCREMENT" not in sql.upper()
    assert connection.execute("SELECT count(*) FROM sqlite_sequence").fetchone() == (0,)
    connection.close()
