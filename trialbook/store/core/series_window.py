"""Reading one metric series' x window: raw points when they fit, else decimated, from raw
points for short windows and from the stored min/max buckets (merged in SQL) for long ones,
so the cost follows the points sent, not the length of the series."""

from __future__ import annotations

import math
from typing import Any

from trialbook.store.core.buckets import (
    BUCKET_BASE_WIDTH,
    BUCKET_FACTOR,
    bucket_width,
    levels,
)
from trialbook.store.core.encoding import nan_if_null
from trialbook.store.core.records import SeriesPoints
from trialbook.store.core.transaction import Transaction

RAW_DECIMATION_LIMIT = 8  # series up to 8 × max_points are decimated from raw points


def read_window(
    tx: Transaction,
    series: SeriesPoints,
    series_id: int,
    count: int,
    max_points: int,
    window: tuple[str, float | None, float | None],
) -> None:
    """Fill ``series`` with the points of its x window: raw when they fit in ``max_points``;
    up to ``RAW_DECIMATION_LIMIT`` × ``max_points`` decimated from raw points; beyond, the
    extremes of groups of stored min/max buckets, merged in SQL, so the cost follows the
    points sent, not the length of the series or of the window."""
    column, x_min, x_max = window
    ordered, nan_count = tx.execute(
        "SELECT ordered, count - finite_count - pos_inf_count - neg_inf_count"
        " FROM metric_series WHERE id = ?",
        (series_id,),
    ).fetchone()
    if x_min is None and x_max is None:
        first, last = 0, count - 1
    elif ordered:
        # Steps and times never decrease with seq: the window is one seq range.
        first = 0 if x_min is None else _first_seq(tx, series_id, count, column, ">=", x_min)
        last = count - 1
        if x_max is not None:
            last = _first_seq(tx, series_id, count, column, ">", x_max) - 1
    else:
        rows = tx.execute(
            f"SELECT seq, step, time, value FROM metric_points WHERE series_id = ?"
            f" AND {column} BETWEEN ? AND ? ORDER BY seq",
            (
                series_id,
                -math.inf if x_min is None else x_min,
                math.inf if x_max is None else x_max,
            ),
        ).fetchall()
        _fill_series(series, rows, max_points)
        return
    series.window_count = max(0, last - first + 1)
    if series.window_count <= RAW_DECIMATION_LIMIT * max_points:
        rows = tx.execute(
            "SELECT seq, step, time, value FROM metric_points"
            " WHERE series_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (series_id, first, last),
        ).fetchall()
        _fill_series(series, rows, max_points)
        return
    rows = _bucket_extremes(tx, series_id, count, first, last, max_points, nan_count > 0)
    series.downsampled = True
    _fill_series(series, rows, max_points)
    series.window_count = last - first + 1


def _fill_series(series: SeriesPoints, rows: list[Any], max_points: int) -> None:
    """Rows of (seq, step, time, value) in seq order into ``series``, decimated if too many."""
    series.window_count = len(rows)
    if len(rows) > max_points:
        rows = _decimate(rows, max_points)
        series.downsampled = True
    series.steps = [row[1] for row in rows]
    series.times = [row[2] for row in rows]
    values = [row[3] for row in rows]
    series.values = values if None not in values else [nan_if_null(value) for value in values]


def _first_seq(
    tx: Transaction, series_id: int, count: int, column: str, op: str, bound: float
) -> int:
    """The first seq whose ``column`` is ``op bound`` in an ordered series (``count`` when
    none): a descent through the bucket levels, whose last x is their largest, reading
    ``BUCKET_FACTOR`` buckets a level and one level-0 bucket of points (a series without
    levels fits that one bucket)."""
    top = levels(count) - 1
    bucket = 0
    low, high = 0, (count - 1) // bucket_width(max(top, 0))
    for level in range(top, -1, -1):
        (bucket,) = tx.execute(
            f"SELECT min(bucket) FROM metric_buckets WHERE series_id = ? AND level = ?"
            f" AND bucket BETWEEN ? AND ? AND last_{column} {op} ?",
            (series_id, level, low, high, bound),
        ).fetchone()
        if bucket is None:
            return count
        low, high = bucket * BUCKET_FACTOR, bucket * BUCKET_FACTOR + 3
    width = BUCKET_BASE_WIDTH
    (seq,) = tx.execute(
        f"SELECT min(seq) FROM metric_points WHERE series_id = ? AND seq BETWEEN ? AND ?"
        f" AND {column} {op} ?",
        (series_id, bucket * width, bucket * width + width - 1, bound),
    ).fetchone()
    return count if seq is None else seq


def _decimate(rows: list[Any], max_points: int) -> list[Any]:
    """The first and last rows plus each of ``groups`` equal runs' min, max and first NaN
    (value None): two points a run, three where a run holds a NaN."""
    values = [row[3] for row in rows]
    size = len(rows)
    for groups in ((max_points - 2) // 2, (max_points - 2) // 3):
        keep = {0, size - 1}
        for group in range(groups):
            start, end = group * size // groups, (group + 1) * size // groups
            chunk = values[start:end]
            if None in chunk:
                keep.add(start + chunk.index(None))
                chunk = [value if value is not None else math.nan for value in chunk]
                present = [value for value in chunk if value == value]
            else:
                present = chunk
            if present:
                keep.add(start + chunk.index(min(present)))
                keep.add(start + chunk.index(max(present)))
        if len(keep) <= max_points:
            break
    return [rows[index] for index in sorted(keep)]


def _bucket_extremes(
    tx: Transaction,
    series_id: int,
    count: int,
    first: int,
    last: int,
    max_points: int,
    has_nan: bool,
) -> list[Any]:
    """Rows (seq order) for seqs ``first..last``: the window's first and last points and the
    min, max and first NaN of up to ``groups`` groups of the buckets inside the window (the
    coarsest level with at least ``groups`` of them, so fewer than 4 × ``groups`` bucket rows
    are read), plus the extremes of the two partial edges read from raw points."""
    for groups in ((max_points - 8) // 2, (max_points - 11) // 3):
        groups = max(groups, 1)
        level, low, high = _bucket_level(count, first, last, groups)
        width = bucket_width(level)
        kept: dict[int, Any] = {}
        if low <= high:
            parameters = (low, groups, high - low + 1, series_id, level, low, high)
            kept.update(
                (row[0], row)
                for row in tx.execute(_series_sql(tx, has_nan), parameters * (3 if has_nan else 2))
            )
            edges = [(first, low * width - 1), ((high + 1) * width, last)]
        else:
            edges = [(first, last)]
        for start, end in edges:
            if start <= end:
                kept.update((row[0], row) for row in _range_extremes(tx, series_id, start, end))
        kept.update(
            (row[0], row)
            for row in tx.execute(
                "SELECT seq, step, time, value FROM metric_points"
                " WHERE series_id = ? AND seq IN (?, ?)",
                (series_id, first, last),
            )
        )
        if len(kept) <= max_points:
            break
    return [kept[seq] for seq in sorted(kept)]


def _bucket_level(count: int, first: int, last: int, groups: int) -> tuple[int, int, int]:
    """The coarsest level with at least ``groups`` buckets inside seqs ``first..last`` (level 0
    if none has), with the first and last of those buckets (the series' last bucket counts
    as inside though not full). Only the levels the series has are considered."""
    for level in range(max(levels(count) - 1, 0), -1, -1):
        width = bucket_width(level)
        low = -(-first // width)
        high = (count - 1) // width if last == count - 1 else (last + 1) // width - 1
        if high - low + 1 >= groups:
            break
    return level, low, high


def _series_sql(tx: Transaction, has_nan: bool) -> str:
    """Each group's min and max (and first NaN) over buckets ``low..high`` of one level, as
    (seq, step, time, value) rows; buckets are spread over ``groups`` groups evenly, so the
    count of points follows ``max_points`` whatever the number of buckets. Parameters, once
    per part (2, or 3 with NaN): low, groups, buckets (high - low + 1), series, level, low,
    high."""
    source = (
        "(SELECT min_seq, min_step, min_time, min_value, max_seq, max_step, max_time,"
        " max_value, nan_seq, nan_step, nan_time, (bucket - ?) * ? / ? AS g FROM metric_buckets"
        " WHERE series_id = ? AND level = ? AND bucket BETWEEN ? AND ?) b"
    )
    return tx.dialect.group_extremes(source, "g", has_nan)


def _range_extremes(tx: Transaction, series_id: int, start: int, end: int) -> list[Any]:
    """Min, max and first NaN of the raw points ``start..end`` (a window's partial edge)."""
    source = (
        "SELECT seq, step, time, value FROM metric_points"
        " WHERE series_id = ? AND seq BETWEEN ? AND ? AND value IS"
    )
    return tx.execute(
        f"SELECT * FROM ({source} NOT NULL ORDER BY value, seq LIMIT 1) low"
        f" UNION ALL SELECT * FROM ({source} NOT NULL ORDER BY value DESC, seq LIMIT 1) high"
        f" UNION ALL SELECT * FROM ({source} NULL ORDER BY seq LIMIT 1) nan",
        (series_id, start, end) * 3,
    ).fetchall()
