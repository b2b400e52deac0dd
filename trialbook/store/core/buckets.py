"""Min/max buckets of metric series, kept at write time so long series are served fast.

Level L groups ``BUCKET_BASE_WIDTH * BUCKET_FACTOR**L`` consecutive points (by seq) and keeps
its first, last, min and max points and its first NaN. A series has level L only while it is
longer than one bucket of it (``levels(count)``): a 10-step series has none, and reads (see
``series_window.py``) use the levels a series has. A batch's buckets are computed here from
its points (level 0) and from the level below (the others), then written set-wise: fresh
buckets by the backend's bulk insert, the one bucket a level that a previous batch began by
``BUCKET_UPSERT``. A level the batch begins gets its first bucket's earlier points from
``prefix`` (at most four buckets of the level below, or at most 16 points), before the
upsert merges the batch into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trialbook.store.core.transaction import Transaction

BUCKET_BASE_WIDTH = 16  # ~1,000 points served at 10,000 steps (see benchmarks/README.md)
BUCKET_FACTOR = 4
BUCKET_LEVELS = 8  # widths 16 .. 262,144 points
BUCKET_COLUMNS = 23


def bucket_width(level: int) -> int:
    return BUCKET_BASE_WIDTH * BUCKET_FACTOR**level


def levels(count: int) -> int:
    """How many levels (0 ..) a series of ``count`` points has: those it spans more than one
    bucket of."""
    found = 0
    while found < BUCKET_LEVELS and count > bucket_width(found):
        found += 1
    return found


#: A bucket a batch begins whole, or the earlier part of a level's first bucket.
BUCKET_INSERT = "INSERT INTO metric_buckets VALUES (" + ", ".join(["?"] * BUCKET_COLUMNS) + ")"


_OLD = "metric_buckets."  # the stored row (qualified: PostgreSQL finds bare names ambiguous)

#: Merge a batch's aggregate into the bucket a previous batch began.
BUCKET_UPSERT = (
    "INSERT INTO metric_buckets VALUES (" + ", ".join(["?"] * BUCKET_COLUMNS) + ")"
    f" ON CONFLICT (series_id, level, bucket) DO UPDATE SET count = {_OLD}count + excluded.count,"
    " last_seq = excluded.last_seq, last_step = excluded.last_step,"
    " last_time = excluded.last_time, last_value = excluded.last_value,"
    f" nan_seq = coalesce({_OLD}nan_seq, excluded.nan_seq),"
    f" nan_step = CASE WHEN {_OLD}nan_seq IS NULL THEN excluded.nan_step ELSE {_OLD}nan_step END,"
    f" nan_time = CASE WHEN {_OLD}nan_seq IS NULL THEN excluded.nan_time ELSE {_OLD}nan_time END,"
    + ",".join(
        f" {stat}_{column} = CASE WHEN excluded.{stat}_value IS NOT NULL"
        f" AND ({_OLD}{stat}_value IS NULL OR excluded.{stat}_value {op} {_OLD}{stat}_value)"
        f" THEN excluded.{stat}_{column} ELSE {_OLD}{stat}_{column} END"
        for stat, op in (("min", "<"), ("max", ">"))
        for column in ("seq", "step", "time", "value")
    )
)


def batch_buckets(
    series_id: int,
    first_seq: int,
    steps: list[int],
    times: list[float],
    values: list[float | None],
    continued: list[tuple[Any, ...]],
    new_buckets: list[list[Any]],
) -> None:
    """Min/max/first/last aggregates of a batch for every bucket level (level 0 from points,
    each next level from the previous level's aggregates): the bucket a previous batch began
    (at most one a level) into ``continued`` for an upsert, the others as rows into
    ``new_buckets`` for the backend's bulk insert."""
    size = len(values)
    top = levels(first_seq + size)
    if top == 0:
        return
    level_rows = point_aggregates(first_seq, steps, times, values)
    for level in range(top):
        fresh = level_rows
        if level_rows[0][2] != level_rows[0][0] * bucket_width(level):
            continued.append((series_id, level, *level_rows[0]))
            fresh = level_rows[1:]
        new_buckets.extend([series_id, level, *aggregate] for aggregate in fresh)
        if level + 1 == top:
            break
        merged: dict[int, list[Any]] = {}
        for aggregate in level_rows:
            parent = aggregate[0] // BUCKET_FACTOR
            current = merged.get(parent)
            if current is None:
                merged[parent] = [parent, *aggregate[1:]]
            else:
                _merge(current, aggregate)
        level_rows = list(merged.values())


def point_aggregates(
    first_seq: int, steps: list[int], times: list[float], values: list[float | None]
) -> list[list[Any]]:
    """The level-0 aggregates (bucket, count, first, last, min, max, NaN) of points that
    begin at seq ``first_seq``."""
    width = BUCKET_BASE_WIDTH
    size = len(values)
    level_rows: list[list[Any]] = []
    start = 0
    while start < size:
        seq = first_seq + start
        end = min(size, start + width - seq % width)
        chunk = values[start:end]
        has_nan = None in chunk
        present = [v for v in chunk if v is not None] if has_nan else chunk
        aggregate: list[Any] = [
            seq // width,
            end - start,
            seq,
            steps[start],
            times[start],
            values[start],
            first_seq + end - 1,
            steps[end - 1],
            times[end - 1],
            values[end - 1],
        ]
        if present:
            low, high = min(present), max(present)
            i, j = start + chunk.index(low), start + chunk.index(high)
            aggregate += [
                first_seq + i,
                steps[i],
                times[i],
                low,
                first_seq + j,
                steps[j],
                times[j],
                high,
            ]
        else:
            aggregate += [None] * 8
        if has_nan:
            k = start + chunk.index(None)
            aggregate += [first_seq + k, steps[k], times[k]]
        else:
            aggregate += [None] * 3
        level_rows.append(aggregate)
        start = end
    return level_rows


def _merge(current: list[Any], aggregate: list[Any]) -> None:
    """Fold ``aggregate`` (the points that follow) into ``current``."""
    current[1] += aggregate[1]
    current[6:10] = aggregate[6:10]
    if aggregate[13] is not None and (current[13] is None or aggregate[13] < current[13]):
        current[10:14] = aggregate[10:14]
    if aggregate[17] is not None and (current[17] is None or aggregate[17] > current[17]):
        current[14:18] = aggregate[14:18]
    if current[18] is None and aggregate[18] is not None:
        current[18:21] = aggregate[18:21]


def begun_levels(count: int, size: int) -> range:
    """The levels a batch of ``size`` points appended to ``count`` begins."""
    return range(levels(count), levels(count + size))


def prefix(tx: Transaction, series_id: int, count: int) -> list[Any]:
    """The aggregate (as bucket 0) of a series' first ``count`` stored points, from the
    highest level it has (at most four buckets, since ``count`` fits one bucket of the next
    level) or from its points (at most 16)."""
    below = levels(count) - 1
    if below < 0:
        rows = tx.execute(
            "SELECT step, time, value FROM metric_points WHERE series_id = ? ORDER BY seq",
            (series_id,),
        ).fetchall()
        steps, times, values = (list(column) for column in zip(*rows, strict=True))
        (aggregate,) = point_aggregates(0, steps, times, values)
        return aggregate
    rows = [
        list(row)
        for row in tx.execute(
            f"SELECT {_AGGREGATE_COLUMNS} FROM metric_buckets WHERE series_id = ? AND level = ?"
            " ORDER BY bucket",
            (series_id, below),
        )
    ]
    aggregate = [0, *rows[0][1:]]
    for row in rows[1:]:
        _merge(aggregate, row)
    return aggregate


_AGGREGATE_COLUMNS = (
    "bucket, count, first_seq, first_step, first_time, first_value, last_seq, last_step,"
    " last_time, last_value, min_seq, min_step, min_time, min_value, max_seq, max_step,"
    " max_time, max_value, nan_seq, nan_step, nan_time"
)
