"""Building a DataFrame column by column from rows whose keys vary (trials with different
variables or metrics): columns in order of first appearance, NaN where a row has no value,
as ``pandas.DataFrame(list_of_dicts)`` gives, without its per-row, per-key conversion;
``trials_frame`` does it for an experiment's trials straight from the store's bulk rows."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Collection, Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any

from trialbook.frame_columns import (
    datetime_column,
    metric_columns,
    parameter_columns,
    stat_column,
)
from trialbook.store.core.records import ComponentFrameRows, TrialFrameRows
from trialbook.store.core.vocabulary import SUMMARY_STATS, TRIAL_METRIC_STATS

if TYPE_CHECKING:
    import numpy
    import pandas

MISSING = float("nan")


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a frame is read and built: the millions of rows
    and cells just created (none in a cycle; reference counting frees them) would make it
    walk every one of them several times over (0.3 s of 2.4 at 100,000 components)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
) -> pandas.DataFrame | None:
    """``Experiment.dataframe()`` from the store's bulk rows, column by column: the same
    columns, order, values and dtypes as ``ColumnsBuilder`` given each trial's row (see
    ``analytics._trial_frame``), or None when a variable is named like another column."""
    import numpy
    import pandas

    count = len(rows.trials)
    if not count:
        return pandas.DataFrame({})
    ids, names, statuses, created, started, ended, texts, soles = map(
        list, zip(*rows.trials, strict=True)
    )
    started = [start or None for start in started]
    ended = [end or None for end in ended]
    general = {index: rows.general[ids[index]] for index in _indexes(soles, None)}
    for index, row in general.items():
        started[index], ended[index] = row["start_time"], row["end_time"]
    # Each column where pandas would put it: (first row, part of the row, rank there).
    placed = _variable_columns(texts, general)
    metrics = metric_columns(rows.metrics)
    first = {name: (row, 2, rank) for name, (row, rank) in rows.metrics.order.items()}
    present = {name: ~numpy.isnan(stats["count"][0]) for name, stats in metrics.items()}
    for index, row in general.items():  # their own rules: clash keys, several components
        for rank, (key, summary) in enumerate(row["metrics"].items()):
            if key not in metrics:
                metrics[key] = _no_metric(count)
                present[key] = numpy.zeros(count, dtype=bool)
            first[key] = min(first.get(key, (count,)), (index, 2, rank))
            present[key][index] = True
            for field, (stat_values, none) in metrics[key].items():
                stat_values[index] = numpy.nan if summary[field] is None else summary[field]
                none[index] = summary[field] is None
    variables = set(placed)
    if with_objective:
        placed["ObjectiveValue"] = (
            (0, 1, 0, 0),
            _objective_column(objective, metrics, present, general, count),
        )
    for name, stats in metrics.items():
        for position, (stat, field) in enumerate(
            zip(SUMMARY_STATS, TRIAL_METRIC_STATS, strict=True)
        ):
            column = stat_column(field, *stats[field], present[name])
            placed[f"{name} - {stat}"] = ((*first[name], position), column)
    others = set(placed) - variables
    if variables & (others | {"TrialName", "Status", "CreationTime", "StartTime", "EndTime"}):
        return None
    columns: dict[str, Any] = {
        "TrialName": names,
        "Status": statuses,
        "CreationTime": datetime_column(created),
        "StartTime": datetime_column(started),
        "EndTime": datetime_column(ended),
    }
    for name in sorted(placed, key=lambda key: placed[key][0]):
        columns[name] = placed[name][1]
    return pandas.DataFrame(columns)


def _variable_columns(
    texts: list[str | None], general: dict[int, dict[str, Any]]
) -> dict[str, tuple[tuple[int, ...], list[Any]]]:
    """Each variable's column and place. Trials whose variables come in the same order (a
    sweep's all do) are set together: a column of numpy objects filled at their indexes,
    or the values themselves when every trial has them."""
    import numpy

    count = len(texts)
    own = [text for index, text in enumerate(texts) if text is not None and index not in general]
    decoded = iter(_documents(own))
    groups: dict[tuple[str, ...], tuple[list[int], list[tuple[Any, ...]]]] = {}
    for index, text in enumerate(texts):
        if index in general:
            variables = general[index]["variables"] or {}
        elif text is None:
            continue
        else:
            variables = next(decoded) or {}
        keys = tuple(variables)
        group = groups.get(keys)
        if group is None:
            group = groups[keys] = ([], [])
        group[0].append(index)
        group[1].append(tuple(variables.values()))
    placed: dict[str, tuple[tuple[int, ...], Any]] = {}
    for keys, (indexes, rows) in groups.items():
        if len(indexes) == count:  # every trial, in order: the values are the columns
            floats = _float_matrix(rows, len(keys))
            columns = zip(*rows, strict=True) if floats is None else floats.T
            for rank, (key, values) in enumerate(zip(keys, columns, strict=True)):
                placed[key] = ((0, 0, rank, 0), values if floats is not None else list(values))
            continue
        for rank, (key, values) in enumerate(zip(keys, zip(*rows, strict=True), strict=True)):
            if key not in placed:
                placed[key] = ((indexes[0], 0, rank, 0), numpy.full(count, MISSING, object))
            elif placed[key][0] > (indexes[0], 0, rank, 0):
                placed[key] = ((indexes[0], 0, rank, 0), placed[key][1])
            placed[key][1][indexes] = numpy.fromiter(values, dtype=object, count=len(indexes))
    return {key: (place, _as_floats(column)) for key, (place, column) in placed.items()}


def _float_matrix(rows: list[tuple[Any, ...]], width: int) -> numpy.ndarray | None:
    """The rows as float64 (rows, ``width``) when every value is a float, what pandas makes
    of such columns; else None."""
    import numpy

    if set(map(type, chain.from_iterable(rows))) != {float}:
        return None
    return numpy.fromiter(chain.from_iterable(rows), numpy.float64, len(rows) * width).reshape(
        len(rows), width
    )


def _documents(texts: list[str]) -> list[Any]:
    """Each JSON text as ``json.loads`` reads it, through msgspec's parser (a third of json's
    time: 100,000 trials × 20 variables in 0.15 s), which reads a text the same or refuses
    it (NaN and Infinity literals, lone surrogates): json then reads that text."""
    import msgspec

    decode = msgspec.json.decode
    try:
        return list(map(decode, texts))
    except msgspec.DecodeError:
        return [_document(text) for text in texts]


def _document(text: str) -> Any:
    import msgspec

    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def _as_floats(column: numpy.ndarray | list[Any]) -> numpy.ndarray | list[Any]:
    """A column of floats only (NaN for a missing value is one) as float64, what pandas makes
    of it, without pandas' inference a value at a time; any other column as a list."""
    import numpy

    if isinstance(column, numpy.ndarray):
        if column.dtype != object:  # already float64
            return column
        column = column.tolist()
    if set(map(type, column)) == {float}:
        return numpy.fromiter(column, numpy.float64, len(column))
    return column


def _indexes(items: list[Any], value: Any) -> list[int]:
    return [index for index, item in enumerate(items) if item is value]


def _no_metric(count: int) -> dict[str, tuple[numpy.ndarray, numpy.ndarray]]:
    import numpy

    return {
        field: (numpy.full(count, numpy.nan), numpy.zeros(count, dtype=bool))
        for field in TRIAL_METRIC_STATS
    }


def _objective_column(
    objective: tuple[str, str] | None,
    metrics: dict[str, dict[str, tuple[numpy.ndarray, numpy.ndarray]]],
    present: dict[str, numpy.ndarray],
    general: dict[int, dict[str, Any]],
    count: int,
) -> numpy.ndarray | list[Any]:
    """Each trial's objective value: its objective metric's statistic (None without one)."""
    import numpy

    if objective is not None and objective[0] in metrics:
        values, none = metrics[objective[0]][objective[1]]
        values, none = values.copy(), none | ~present[objective[0]]
    else:
        values, none = numpy.full(count, numpy.nan), numpy.ones(count, dtype=bool)
    for index, row in general.items():
        value = row["objective_value"]
        values[index] = numpy.nan if value is None else value
        none[index] = value is None
    return [None] * count if none.all() else values


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
