"""Metric series of components and trials: raw points, summaries by name, and windows of many
series at once (a trial's series is its own component's, under the trial's metric key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from trialbook.store.core import entities
from trialbook.store.core.encoding import nan_if_null
from trialbook.store.core.records import MetricSummary, OwnerKind, SeriesPoints
from trialbook.store.core.rows import trial_metric_keys
from trialbook.store.core.series_window import read_window
from trialbook.store.core.summaries import summaries
from trialbook.store.core.transaction import Transaction, chunks, marks


def summaries_by_name(
    tx: Transaction, component_names: Sequence[str]
) -> dict[str, dict[str, MetricSummary]]:
    """component name → metric name → summary."""
    result: dict[str, dict[str, MetricSummary]] = {name: {} for name in component_names}
    for chunk in chunks(list(component_names)):
        ids = dict(
            tx.execute(
                f"SELECT id, name FROM components WHERE name IN ({marks(len(chunk))})",
                tuple(chunk),
            )
        )
        for component_id, summary in summaries(tx, list(ids)):
            result[ids[component_id]][summary.metric] = summary
    return result


def raw_points(tx: Transaction, component_name: str, metric: str) -> SeriesPoints:
    """Every point of one series, in logging order."""
    component_id = entities.entity_id(tx, "components", component_name)
    row = tx.execute(
        "SELECT id, count FROM metric_series WHERE component_id = ? AND name = ?",
        (component_id, metric),
    ).fetchone()
    series = SeriesPoints("component", component_name, metric, component_name, 0, False, [], [], [])
    if row is None:
        return series
    series.total_count = row[1]
    for step, wall_time, value in tx.execute(
        "SELECT step, time, value FROM metric_points WHERE series_id = ? ORDER BY seq", (row[0],)
    ):
        series.steps.append(step)
        series.times.append(wall_time)
        series.values.append(nan_if_null(value))
    return series


def windows(
    tx: Transaction,
    requests: Sequence[tuple[OwnerKind, str, str]],
    *,
    max_points: int,
    x: Literal["step", "time"],
    x_min: float | None,
    x_max: float | None,
) -> list[SeriesPoints]:
    """The x window of each known requested series (see ``Store.metric_series``)."""
    max_points = max(int(max_points), 10)
    window = ("time" if x == "time" else "step", x_min, x_max)
    result = []
    for owner_kind, owner_name, metric in requests:
        resolved = _resolve(tx, owner_kind, owner_name, metric)
        if resolved is None:
            continue
        series_id, count, component_name = resolved
        series = SeriesPoints(
            owner_kind, owner_name, metric, component_name, count, False, [], [], []
        )
        read_window(tx, series, series_id, count, max_points, window)
        result.append(series)
    return result


def _series_of(tx: Transaction, component_name: str, metric: str) -> tuple[int, int] | None:
    row = tx.execute(
        "SELECT s.id, s.count FROM metric_series s JOIN components c ON c.id = s.component_id"
        " WHERE c.name = ? AND s.name = ?",
        (component_name, metric),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def _resolve(
    tx: Transaction, owner_kind: str, owner_name: str, metric: str
) -> tuple[int, int, str] | None:
    """(series id, count, component name) of a component's metric or a trial's metric key."""
    if owner_kind == "component":
        found = _series_of(tx, owner_name, metric)
        return None if found is None else (*found, owner_name)
    if owner_kind != "trial":
        return None
    own = tx.execute(
        "SELECT c.id, c.name, c.display_name, coalesce(c.start_time, c.creation_time)"
        " FROM trial_components tc JOIN trials t ON t.id = tc.trial_id"
        " JOIN components c ON c.id = tc.component_id WHERE t.name = ?"
        " AND NOT EXISTS (SELECT 1 FROM trial_components x"
        " WHERE x.component_id = c.id AND x.trial_id != t.id)",
        (owner_name,),
    ).fetchall()
    if not own:
        return None
    metrics: dict[int, list[str]] = {row[0]: [] for row in own}
    for component_id, name in tx.execute(
        f"SELECT component_id, name FROM metric_series WHERE component_id IN ({marks(len(own))})",
        tuple(metrics),
    ):
        metrics[component_id].append(name)
    keys = trial_metric_keys([(row[1], row[2], row[3], metrics[row[0]]) for row in own])
    if metric not in keys:
        return None
    component_name, component_metric = keys[metric]
    found = _series_of(tx, component_name, component_metric)
    return None if found is None else (*found, component_name)
