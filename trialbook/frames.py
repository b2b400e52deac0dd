"""Building a DataFrame column by column from rows whose keys vary (trials with different
variables or metrics): columns in order of first appearance, NaN where a row has no value,
as ``pandas.DataFrame(list_of_dicts)`` gives, without its per-row, per-key conversion;
``trials_frame`` does it for an experiment's trials straight from the store's bulk rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from trialbook import values
from trialbook.store.core.records import TrialFrameRows
from trialbook.store.core.vocabulary import SUMMARY_STATS, TRIAL_METRIC_STATS, summary_stats

if TYPE_CHECKING:
    import pandas

MISSING = float("nan")


class ColumnsBuilder:
    """Rows in, columns out: ``put`` values of the current row, ``end_row``, ``frame()``."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.count = 0

    def put(self, name: str, value: Any) -> None:
        column = self.columns.get(name)
        if column is None:
            column = self.columns[name] = []
        if len(column) < self.count:
            column.extend([MISSING] * (self.count - len(column)))
        column.append(value)

    def put_row(self, row: Mapping[str, Any]) -> None:
        for name, value in row.items():
            self.put(name, value)
        self.end_row()

    def end_row(self) -> None:
        self.count += 1

    def frame(self) -> pandas.DataFrame:
        import pandas

        for column in self.columns.values():
            column.extend([MISSING] * (self.count - len(column)))
        return pandas.DataFrame(self.columns)


def trials_frame(
    rows: TrialFrameRows, objective: tuple[str, str] | None, with_objective: bool
) -> pandas.DataFrame:
    """``Experiment.dataframe()`` from the store's bulk rows, column by column: the same
    columns, order, values and dtypes as ``ColumnsBuilder`` given each trial's row (see
    ``analytics._trial_frame``), without a dict per trial or a call per value."""
    import pandas

    count = len(rows.trials)
    columns: dict[str, list[Any]] = {}
    if not count:
        return pandas.DataFrame(columns)
    seen: set[tuple[Any, ...]] = set()
    stat_names = list(zip(SUMMARY_STATS, TRIAL_METRIC_STATS, strict=True))
    loads = json.loads
    to_datetime = values.to_datetime

    def column(name: str) -> list[Any]:
        found = columns.get(name)
        if found is None:
            found = columns[name] = [MISSING] * count
        return found

    names, statuses, created, started, ended = (
        column(name) for name in ("TrialName", "Status", "CreationTime", "StartTime", "EndTime")
    )
    objective_values: list[Any] | None = None
    for index, (trial_id, name, status, creation, start, end, text, sole) in enumerate(rows.trials):
        general = rows.general.get(trial_id) if sole is None else None
        if general is not None:
            variables = general["variables"] or {}
            metrics = general["metrics"]
            start, end = general["start_time"], general["end_time"]
            objective_value = general["objective_value"]
        else:
            variables = {} if text is None else loads(text) or {}
            metrics = {}
            for metric, *accumulators in rows.series.get(sole, ()):
                metrics[metric] = summary_stats(*accumulators)
            start, end = start or None, end or None
            objective_value = None
            if objective is not None and objective[0] in metrics:
                objective_value = metrics[objective[0]][objective[1]]
        names[index] = name
        statuses[index] = status
        created[index] = to_datetime(creation)
        started[index] = to_datetime(start)
        ended[index] = to_datetime(end)
        signature = (*variables, None, *metrics)
        if signature not in seen:  # new keys: their columns, in order of first appearance
            seen.add(signature)
            for key in variables:
                column(key)
            if with_objective:
                objective_values = column("ObjectiveValue")
            for key in metrics:
                for stat, _ in stat_names:
                    column(f"{key} - {stat}")
        for key, value in variables.items():
            columns[key][index] = value
        if objective_values is not None:
            objective_values[index] = objective_value
        for key, summary in metrics.items():
            for stat, field in stat_names:
                columns[f"{key} - {stat}"][index] = summary[field]
    return pandas.DataFrame(columns)
