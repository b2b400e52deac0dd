"""The store's shared words: summary statistics, trial-table columns and the objective rule.

Statuses are ``trialbook.status``; how a stored status reads (Interrupted) is
``core/statuses.py``. The frontend mirrors these tuples (``tests/server/test_payload_types.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: Summary statistics kept per (component, metric) at write time, as the Python API names them.
SUMMARY_STATS = ("Min", "Max", "Avg", "StdDev", "Last", "Count")
#: The same statistics as the trial table and ``trial_rows`` name them.
TRIAL_METRIC_STATS = ("min", "max", "avg", "stddev", "last", "count")

#: Columns of the trial table that every trial has.
TRIAL_FIXED_COLUMNS = (
    "name",
    "status",
    "creation_time",
    "last_activity",
    "start_time",
    "end_time",
    "objective_value",
    "duration",
    "experiment",
)
TRIAL_FILTER_OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "contains")
#: Fixed columns holding times: filters also take ISO 8601 text for them.
TRIAL_TIME_COLUMNS = frozenset({"creation_time", "last_activity", "start_time", "end_time"})


def objective_stat(objective: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(metric, statistic) that gives a trial's objective value: for a "best" summary the
    metric's "max"/"min" by ``goal``, else the statistic the summary names ("last", "max",
    "min", "mean" → "avg"); None without an objective metric."""
    if not objective or not objective.get("metric"):
        return None
    summary = objective.get("summary", "best")
    if summary == "best":
        return objective["metric"], "max" if objective.get(
            "goal", "maximize"
        ) == "maximize" else "min"
    return objective["metric"], OBJECTIVE_SUMMARY_STATS[summary]


# An objective's summary (other than "best") → the metric statistic that gives its value.
OBJECTIVE_SUMMARY_STATS = {"last": "last", "max": "max", "min": "min", "mean": "avg"}


def summary_stats(
    count: int,
    finite: int,
    pos_inf: int,
    neg_inf: int,
    mean: float,
    m2: float,
    minimum: float | None,
    maximum: float | None,
    last_step: int | None,
    last_value: float | None,
) -> dict[str, Any]:
    """The TRIAL_METRIC_STATS of a series from its stored accumulators: NaN skipped, ±inf
    counted (an average with an infinity is that infinity, NaN with both; stddev NaN),
    population standard deviation, ``last`` NaN when the last point was NaN (stored NULL)."""
    if pos_inf or neg_inf:
        average: float | None = (
            math.nan if pos_inf and neg_inf else (math.inf if pos_inf else -math.inf)
        )
        stddev: float | None = math.nan
    elif finite:
        average, stddev = mean, math.sqrt(m2 / finite) if m2 > 0 else 0.0
    else:
        average = stddev = None
    last = None if last_step is None else (math.nan if last_value is None else last_value)
    return {
        "min": minimum,
        "max": maximum,
        "avg": average,
        "stddev": stddev,
        "last": last,
        "count": count,
    }
