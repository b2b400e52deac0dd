"""Trials averaged over seeds: groups of trials equal in every variable but the excepted ones,
with n and mean ± CI (or ± sd) of every metric summary column."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trialbook.errors import ValidationError
from trialbook.objective import trial_value
from trialbook.store import SUMMARY_STATS, flush_all, open_store
from trialbook.variables import identity

if TYPE_CHECKING:
    import pandas

SPREADS = ("ci", "sd")
GROUP_ALPHA = 0.05  # the groups' intervals are 95% intervals
_STAT_KEYS = {stat: ("stddev" if stat == "StdDev" else stat.lower()) for stat in SUMMARY_STATS}


def trial_groups(
    experiment_name: str, except_variables: Iterable[str] = ("seed",), spread: str = "ci"
) -> dict[str, Any]:
    """``{"by": [variables], "groups": [{"key", "n", "trials", "metrics"}]}``; each metric
    column ``"<metric> - <Stat>"`` (and ``ObjectiveValue``) → ``{"mean", "lo", "hi", "sd",
    "n"}`` over the group's trials that have a finite value (lo/hi: 95% t interval of the
    mean, or mean ± sd; None with fewer than two values)."""
    if spread not in SPREADS:
        raise ValidationError(f"spread must be 'ci' or 'sd', got {spread!r}")
    flush_all()
    store = open_store()
    experiment = store.get_experiment(experiment_name)
    rows = store.trial_rows(experiment_name)
    names = list(experiment.variables or {})
    for row in rows:
        names.extend(name for name in row["variables"] or {} if name not in names)
    excepted = [except_variables] if isinstance(except_variables, str) else list(except_variables)
    unknown = [name for name in excepted if name not in names]
    if unknown:
        raise ValidationError(
            f"cannot group {experiment_name!r} except {unknown}: not variables of its trials "
            f"(variables: {', '.join(names) or 'none'})"
        )
    by = [name for name in names if name not in excepted]
    grouped: dict[str | None, dict[str, Any]] = {}
    columns: dict[str | None, dict[str, list[float]]] = {}
    for row in rows:
        variables = row["variables"] or {}
        key = {name: variables.get(name) for name in by}
        group_id = identity(key) if key else None
        group = grouped.setdefault(group_id, {"key": key, "n": 0, "trials": [], "metrics": {}})
        group["n"] += 1
        group["trials"].append(row["name"])
        values = columns.setdefault(group_id, {})
        if experiment.objective:
            _collect(values, "ObjectiveValue", trial_value(row["metrics"], experiment.objective))
        for metric, summary in row["metrics"].items():
            for stat, field in _STAT_KEYS.items():
                _collect(values, f"{metric} - {stat}", summary.get(field))
    for group_id, group in grouped.items():
        group["metrics"] = {
            column: _spread(values, spread) for column, values in columns[group_id].items()
        }
    return {"by": by, "groups": list(grouped.values())}


def groups_dataframe(
    experiment_name: str, except_variables: Iterable[str], spread: str
) -> pandas.DataFrame:
    """``trial_groups`` as one row per group: the grouping variables, ``n``, ``Trials`` and
    ``"<column> mean|lo|hi|sd"`` for every metric summary column."""
    import pandas

    grouping = trial_groups(experiment_name, except_variables, spread)
    rows = []
    for group in grouping["groups"]:
        row: dict[str, Any] = {**group["key"], "n": group["n"], "Trials": group["trials"]}
        for column, numbers in group["metrics"].items():
            for part in ("mean", "lo", "hi", "sd"):
                row[f"{column} {part}"] = numbers[part]
        rows.append(row)
    return pandas.DataFrame(rows)


def _collect(columns: dict[str, list[float]], column: str, value: Any) -> None:
    values = columns.setdefault(column, [])
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        values.append(float(value))


def _spread(values: list[float], spread: str) -> dict[str, Any]:
    n = len(values)
    mean = sum(values) / n if n else None
    sd = None
    if n > 1 and mean is not None:
        sd = math.sqrt(sum((value - mean) ** 2 for value in values) / (n - 1))
    low = high = None
    if sd is not None and mean is not None:
        if spread == "sd":
            low, high = mean - sd, mean + sd
        else:
            from trialbook.statistics import mean_interval  # scipy: only when asked

            low, high = mean_interval(values, GROUP_ALPHA) or (None, None)
    return {"mean": mean, "lo": low, "hi": high, "sd": sd, "n": n}
