"""Appending metric points: one transaction per flush, set-wise.

Per series, the batch's summary (Chan's parallel merge of count, mean and M2 over finite
values; min, max, last) is merged into the stored one in Python with C-level passes only,
then points, summaries and buckets are written with a few statements: the backend's bulk
insert (whole columns) for points and fresh buckets, ``executemany`` for the rest (a new
series goes in with its first batch's summary, never updated after in the same flush). The
points are handed to the backend before the summaries and buckets are computed, so a
backend that streams them (PostgreSQL's COPY) has the server write them meanwhile.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.store.core import buckets, column_catalogue
from trialbook.store.core.activity import memberships_by_name, touch_statements
from trialbook.store.core.buckets import BUCKET_UPSERT, batch_buckets
from trialbook.store.core.records import MetricPoint, SeriesKey
from trialbook.store.core.transaction import Statement, Transaction

_point_step = operator.itemgetter(0)
_point_time = operator.itemgetter(1)
_point_value = operator.itemgetter(2)

SERIES_UPDATE = (
    "UPDATE metric_series SET count = ?, finite_count = ?, pos_inf_count = ?, neg_inf_count = ?,"
    " mean = ?, m2 = ?, min_value = ?, max_value = ?, last_step = ?, last_time = ?, last_value = ?,"
    " first_time = ?, ordered = ? WHERE id = ?"
)
#: A new series with its first batch's summary (the columns of ``SERIES_UPDATE``).
SERIES_INSERT = (
    "INSERT INTO metric_series (component_id, name, count, finite_count, pos_inf_count,"
    " neg_inf_count, mean, m2, min_value, max_value, last_step, last_time, last_value,"
    " first_time, ordered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: A series before its first point, as ``append`` reads a stored one (without its id).
_EMPTY_SERIES = (None, 0, 0, 0, 0, 0.0, 0.0, None, None, None, None, None, None, 1)


def append(
    tx: Transaction,
    batches: Mapping[SeriesKey, Sequence[MetricPoint]],
    *,
    known_ids: Mapping[str, int] | None = None,
    belongs: Mapping[int, tuple[list[str], list[str]]] | None = None,
) -> int:
    """Append each series' points, update series summaries and buckets, log one change per
    component — all in the caller's transaction; returns how many points were written.
    A caller that already read some components' ids and memberships passes them
    (``known_ids`` by name, ``belongs`` by id: as ``activity.memberships_by_name``)."""
    component_ids: dict[str, int] = dict(known_ids or {})
    belonging: dict[int, tuple[list[str], list[str]]] = dict(belongs or {})
    unknown = sorted({component for component, _ in batches} - component_ids.keys())
    if unknown:
        read_ids, read_belongs = memberships_by_name(tx, unknown)
        component_ids.update(read_ids)
        belonging.update(read_belongs)
    known = [key for key in batches if key[0] in component_ids]  # others were deleted
    point_columns: list[list[Sequence[Any]]] = [[], [], [], [], []]  # id, seq, step, time, value
    series_updates: list[tuple[Any, ...]] = []
    bucket_rows: list[tuple[Any, ...]] = []  # buckets a previous batch began: upserts
    new_buckets: list[list[Any]] = []  # buckets this batch begins: plain inserts
    prefixes: list[tuple[Any, ...]] = []  # the stored part of a level's first bucket
    added: dict[int, dict[str, int]] = {}
    laid_out: list[tuple[Sequence[Any], _Columns, bool]] = []  # (stored row, columns, new)
    created: list[tuple[int, int, str]] = []  # new series: (id, component id, name)
    written = 0
    # Every read first, then the points: the backend may stream them to the server (a
    # PostgreSQL COPY) while the summaries and buckets are computed here.
    for key in known:
        component_name, metric = key
        points = batches[key]
        component_id = component_ids[component_name]
        row = tx.execute(
            "SELECT id, count, finite_count, pos_inf_count, neg_inf_count, mean, m2, min_value,"
            " max_value, last_step, last_time, last_value, first_time, ordered FROM metric_series"
            " WHERE component_id = ? AND name = ?",
            (component_id, metric),
        ).fetchone()
        columns = _columns(points)
        new = row is None
        if new:  # inserted with this batch's summary: no update after the points
            series_id = tx.insert(
                SERIES_INSERT, (component_id, metric, *_summary(_EMPTY_SERIES, columns))
            )
            row = (series_id, *_EMPTY_SERIES[1:])
            created.append((series_id, component_id, metric))
        size = len(points)
        count = row[1]
        begun = buckets.begun_levels(count, size)
        if count and begun:  # a level begins: its first bucket holds stored points too
            aggregate = buckets.prefix(tx, row[0], count)
            prefixes.extend((row[0], level, *aggregate) for level in begun)
        steps, times, _, stored = columns
        for parts, column in zip(
            point_columns,
            ([row[0]] * size, range(count, count + size), steps, times, stored),
            strict=True,
        ):
            parts.append(column)
        written += size
        laid_out.append((row, columns, new))
        per_metric = added.setdefault(component_id, {})
        per_metric[metric] = per_metric.get(metric, 0) + size
    tx.bulk_insert("metric_points", [_joined(parts) for parts in point_columns])
    for row, columns, new in laid_out:
        series_id, count = row[0], row[1]
        if not new:  # (a new series went in with its summary)
            series_updates.append((*_summary(row, columns), series_id))
        steps, times, _, stored = columns
        batch_buckets(series_id, count, steps, times, stored, bucket_rows, new_buckets)
    # Fresh buckets before the statements: a backend that streams packs them while the
    # server still writes the points (their keys differ from the prefixes' and upserts').
    tx.bulk_insert("metric_buckets", list(zip(*new_buckets, strict=True)) if new_buckets else [])
    column_catalogue.series_added(tx, created)
    statements: list[Statement] = [
        (SERIES_UPDATE, series_updates),
        (buckets.BUCKET_INSERT, prefixes),
        (BUCKET_UPSERT, bucket_rows),
    ]
    if added:
        by_id = {cid: name for name, cid in component_ids.items()}
        for component_id, metrics in added.items():
            trials, experiments = belonging[component_id]
            tx.record_change(
                "metrics.appended",
                "component",
                by_id[component_id],
                experiments[0] if experiments else None,
                {"metrics": metrics, "trials": trials, "experiments": experiments},
            )
        statements += touch_statements(tx, list(added))
    tx.execute_all(statements)  # one round trip where the backend pipelines
    return written


#: A series batch's steps, times, values and stored values (NaN as None), as laid out.
_Columns = tuple[list[int], list[float], list[float], list[float | None]]


def _columns(points: Sequence[MetricPoint]) -> _Columns:
    """One series' steps, times, values and stored values (NaN as None), with C-level passes
    only (itemgetter maps)."""
    steps = list(map(_point_step, points))
    times = list(map(_point_time, points))
    values = list(map(_point_value, points))
    total = sum(values)
    all_finite = total - total == 0.0  # false when any value is NaN or ±inf (or the sum overflowed)
    stored = values if all_finite else [v if v == v else None for v in values]
    return steps, times, values, stored


def _joined(parts: list[Sequence[Any]]) -> Sequence[Any]:
    """One column of several series' parts (the usual single part as it is)."""
    if len(parts) == 1:
        return parts[0]
    joined: list[Any] = []
    for part in parts:
        joined.extend(part)
    return joined


def _summary(row: Sequence[Any], columns: _Columns) -> tuple[Any, ...]:
    """A series' summary (the columns of ``SERIES_UPDATE`` but the id) once its stored
    ``row`` takes a batch, with C-level passes over the batch's points (sum/min/max/fsum)."""
    (
        _,
        count,
        finite,
        pos_inf,
        neg_inf,
        mean,
        m2,
        minimum,
        maximum,
        last_step,
        last_time,
        last_value,
        first_time,
        ordered,
    ) = row
    steps, times, values, stored = columns
    size = len(values)
    all_finite = stored is values
    # Summary: Chan's parallel merge of (count, mean, M2) over finite values.
    finite_values = values if all_finite else [v for v in values if v - v == 0.0]
    if finite_values:
        batch_count = len(finite_values)
        batch_mean = math.fsum(finite_values) / batch_count
        deviations = list(map(operator.sub, finite_values, itertools.repeat(batch_mean)))
        batch_m2 = math.fsum(map(operator.mul, deviations, deviations))
        merged = finite + batch_count
        delta = batch_mean - mean
        mean = mean + delta * batch_count / merged
        m2 = m2 + batch_m2 + delta * delta * finite * batch_count / merged
        finite = merged
    if not all_finite:
        pos_inf += values.count(math.inf)
        neg_inf += values.count(-math.inf)
    present = values if all_finite else [v for v in values if v == v]
    if present:
        batch_min, batch_max = min(present), max(present)
        minimum = batch_min if minimum is None else min(minimum, batch_min)
        maximum = batch_max if maximum is None else max(maximum, batch_max)
    # Ordered series (the usual case) map an x window to one seq range (see _read_series).
    ordered = int(
        bool(ordered)
        and (last_step is None or (steps[0] >= last_step and times[0] >= last_time))
        and sorted(steps) == steps  # never decreasing (a sorted list sorts in one C pass)
        and sorted(times) == times
    )
    top_step = max(steps)
    if steps[-1] == top_step and steps.count(top_step) == 1:
        index = size - 1  # the usual case: steps grow
    else:
        index = max((i for i in range(size) if steps[i] == top_step), key=lambda i: (times[i], i))
    if last_step is None or (steps[index], times[index]) >= (last_step, last_time):
        last_step, last_time, last_value = steps[index], times[index], stored[index]
    first_time = times[0] if first_time is None else first_time
    return (
        count + size,
        finite,
        pos_inf,
        neg_inf,
        mean,
        m2,
        minimum,
        maximum,
        last_step,
        last_time,
        last_value,
        first_time,
        ordered,
    )
