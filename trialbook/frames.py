"""Building a DataFrame column by column from rows whose keys vary (trials with different
variables or metrics): columns in order of first appearance, NaN where a row has no value,
as ``pandas.DataFrame(list_of_dicts)`` gives, without its per-row, per-key conversion;
``trials_frame`` does it for an experiment's trials straight from the store's bulk rows."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from trialbook import values
from trialbook.frame_columns import metric_columns, parameter_columns, stat_column
from trialbook.store.core.records import ComponentFrameRows, TrialFrameRows
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


#: Columns of ``ExperimentAnalytics`` that are not a parameter, metric or artifact.
COMPONENT_FIXED_COLUMNS = ("TrialComponentName", "DisplayName", "Trials", "Experiments")


def components_frame(
    rows: ComponentFrameRows,
    parameter_names: Collection[str] | None,
    metric_names: Collection[str] | None,
    input_names: Collection[str] | None,
    output_names: Collection[str] | None,
) -> pandas.DataFrame | None:
    """``ExperimentAnalytics.dataframe()`` (before sorting) from the store's bulk rows:
    the same columns, order, values and dtypes as ``ColumnsBuilder`` given each
    component's row, or None when a parameter's name is also another column's (the
    records then say which value wins)."""
    import numpy
    import pandas

    count = len(rows.components)
    if not count:
        return pandas.DataFrame({})
    # Each column where pandas would put it: (first row, part of the row, rank there).
    placed: dict[str, tuple[tuple[int, ...], Any]] = {}
    for name, parameter in parameter_columns(rows.parameters).items():
        if parameter_names is None or name in parameter_names:
            row, rank = rows.parameters.order[name]
            placed[name] = ((row, 0, rank, 0), parameter)
    taken = set(placed)
    for name, stats in metric_columns(rows.metrics).items():
        if metric_names is None or name in metric_names:
            present = ~numpy.isnan(stats["count"][0])
            row, rank = rows.metrics.order[name]
            for position, (stat, field) in enumerate(
                zip(SUMMARY_STATS, TRIAL_METRIC_STATS, strict=True)
            ):
                column = stat_column(field, *stats[field], present)
                placed[f"{name} - {stat}"] = ((row, 1, rank, position), column)
    artifacts = _artifact_columns(rows.artifacts, input_names, output_names)
    summaries = set(placed) - taken
    if taken & (summaries | set(artifacts) | set(COMPONENT_FIXED_COLUMNS)) or summaries & set(
        artifacts
    ):
        return None
    placed.update(artifacts)
    columns: dict[str, Any] = {
        "TrialComponentName": [row[1] for row in rows.components],
        "DisplayName": [row[2] for row in rows.components],
    }
    for name in sorted(placed, key=lambda key: placed[key][0]):
        columns[name] = placed[name][1]
    columns["Trials"] = rows.trials
    columns["Experiments"] = rows.experiments
    return pandas.DataFrame(columns)


def _artifact_columns(
    artifacts: list[list[tuple[Any, ...]]],
    input_names: Collection[str] | None,
    output_names: Collection[str] | None,
) -> dict[str, tuple[tuple[int, ...], list[Any]]]:
    """ "<artifact> - MediaType|Value" columns: a component's inputs then its outputs, an
    output overwriting the value of an input of the same name (as a dict row would)."""
    placed: dict[str, tuple[tuple[int, ...], list[Any]]] = {}
    count = len(artifacts)
    for row, found in enumerate(artifacts):
        if not found:
            continue
        ordered = [a for a in found if a[0] == "input" and _wanted(a[1], input_names)]
        ordered += [a for a in found if a[0] == "output" and _wanted(a[1], output_names)]
        for rank, (_, name, value, media_type) in enumerate(ordered):
            for part, cell in ((0, media_type), (1, value)):
                key = f"{name} - {('MediaType', 'Value')[part]}"
                if key not in placed:
                    placed[key] = ((row, 2, rank, part), [MISSING] * count)
                placed[key][1][row] = cell
    return placed


def _wanted(name: str, names: Collection[str] | None) -> bool:
    return names is None or name in names
