"""A trial's values by name, as SQL over trials ``t``: the one owner of what a table column or a
query name means in the database, so sorting, filtering and queries agree with the rows.

Each value is a correlated subquery over the trial's components: parameters and metrics come
from the most recently started component that has them (metrics only from the trial's own,
unshared components), as the row builder and the objective value do. A trial with a sole
component (``sole_components.py``; nearly every trial) reads it from that component with one
index probe instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trialbook.store.core.backend import Dialect
from trialbook.store.core.column_catalogue import OWN_COMPONENT
from trialbook.store.core.columns import TrialColumn
from trialbook.store.core.query import Field, QuerySchema
from trialbook.store.core.records import ExperimentRecord
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.table_columns import experiment_columns
from trialbook.store.core.transaction import Transaction
from trialbook.store.core.vocabulary import objective_stat

Sql = tuple[str, list[Any]]

_FINITE = "s.finite_count > 0 AND s.pos_inf_count = 0 AND s.neg_inf_count = 0"
_METRIC_STAT_SQL = {
    "min": "s.min_value",
    "max": "s.max_value",
    "last": "s.last_value",
    "count": "s.count",
    "avg": f"CASE WHEN {_FINITE} THEN s.mean END",
    "stddev": f"CASE WHEN {_FINITE} THEN sqrt(s.m2 / s.finite_count) END",
}
_COMPONENTS = (
    "FROM trial_components tc JOIN components c ON c.id = tc.component_id WHERE tc.trial_id = t.id"
)
_METRICS = (
    "FROM trial_components tc JOIN components c ON c.id = tc.component_id"
    " JOIN metric_series s ON s.component_id = c.id WHERE tc.trial_id = t.id"
)
_PARAMETERS = (
    "FROM trial_components tc JOIN components c ON c.id = tc.component_id"
    " JOIN parameters p ON p.component_id = c.id WHERE tc.trial_id = t.id"
)
_SOLE_METRICS = "WHERE s.component_id = t.sole_component"
_SOLE_PARAMETERS = "WHERE p.component_id = t.sole_component"
_SOLE_COMPONENT = "FROM components c WHERE c.id = t.sole_component"
#: started / ended / duration: (of the sole component, over the trial's components).
_SPANS = {
    "started": ("c.start_time", "min(c.start_time)"),
    "ended": ("c.end_time", "max(c.end_time)"),
    "duration": ("c.end_time - c.start_time", "max(c.end_time) - min(c.start_time)"),
}
_LATEST = "ORDER BY coalesce(c.start_time, c.creation_time) DESC LIMIT 1"
_PARAMETER_TYPES = {"number": "('int', 'float')", "text": "('str')", "bool": "('bool')"}
#: Trial-table column ids → query attribute names (``last_activity`` has no query name).
_FIXED_COLUMNS = {
    "name": "name",
    "status": "status",
    "creation_time": "created",
    "last_activity": "last_activity",
    "start_time": "started",
    "end_time": "ended",
    "objective_value": "objective",
    "duration": "duration",
    "experiment": "experiment",
}

Experiments = Sequence[tuple[int, ExperimentRecord]]


def column_field(column: TrialColumn) -> Field:
    """The query field a trial-table column id stands for."""
    if column.group == "fixed":
        return Field("attribute", _FIXED_COLUMNS[column.key])
    if column.group == "metrics":
        return Field("metric", column.key, column.stat or "last")
    return Field("variable" if column.group == "variables" else "parameter", column.key)


def query_schema(tx: Transaction, experiments: Experiments) -> QuerySchema:
    """The names a query over these experiments may use (each experiment's columns)."""
    variables: list[str] = []
    parameters: list[str] = []
    metrics: list[str] = []
    for experiment_id, experiment in experiments:
        names = experiment_columns(tx, experiment, experiment_id)
        variables += names[0]
        parameters += names[1]
        metrics += names[2]
    return QuerySchema.of(variables, parameters, metrics)


class TrialValueSql:
    """Field → (SQL over trials ``t``, parameters): a ``trialbook.store.core.query.ColumnSql``.

    ``experiments`` are those the trials come from: each has its own objective."""

    def __init__(self, tx: Transaction, experiments: Experiments) -> None:
        self.tx = tx
        self.experiments = experiments
        #: Whether a value asked for depends on the clock (the derived status).
        self.uses_clock = False

    def __call__(self, field: Field, view: str | None = None) -> Sql:
        if field.kind == "attribute":
            return self.attribute(field.key)
        if field.kind == "metric":
            return metric_sql(field.key, field.stat or "last", self.tx.dialect)
        if field.kind == "tag":
            return self.tx.dialect.json_member("t.tags"), [field.key]
        if field.kind == "variable":
            return self.variable(field.key, view)
        if field.kind == "parameter":
            return parameter_sql(field.key, self.tx.dialect, view)
        variable, variable_values = self.variable(field.key, view)  # a bare name: either
        parameter, parameter_values = parameter_sql(field.key, self.tx.dialect, view)
        return f"coalesce({variable}, {parameter})", [*variable_values, *parameter_values]

    def variable(self, key: str, view: str | None) -> Sql:
        dialect = self.tx.dialect
        if view is None:
            return dialect.json_member("t.variables"), [key]
        return dialect.json_member_of_type("t.variables", view), [key]

    def attribute(self, key: str) -> Sql:
        if key in ("name", "last_activity"):
            return f"t.{key}", []
        if key == "created":
            return "t.creation_time", []
        if key == "experiment":
            return "(SELECT e.name FROM experiments e WHERE e.id = t.experiment_id)", []
        if key in _SPANS:
            one, every = _SPANS[key]
            sole = f"(SELECT {one} {_SOLE_COMPONENT})"
            return _sole_or(sole, f"(SELECT {every} {_COMPONENTS})"), []
        if key == "status":
            self.uses_clock = True
            return trial_status_sql(self.tx.now)
        assert key == "objective", key
        return self.objective()

    def objective(self) -> Sql:
        """The objective value: each experiment's metric and summary (see ``objective_stat``)."""
        chosen = [
            (experiment_id, objective_stat(experiment.objective))
            for experiment_id, experiment in self.experiments
        ]
        chosen = [(experiment_id, stat) for experiment_id, stat in chosen if stat is not None]
        if not chosen:
            return "NULL", []
        if len(self.experiments) == 1:
            return metric_sql(*chosen[0][1], self.tx.dialect)  # type: ignore[misc]
        branches, values = [], []
        for experiment_id, stat in chosen:
            sql, parameters = metric_sql(*stat, self.tx.dialect)  # type: ignore[misc]
            branches.append(f"WHEN ? THEN {sql}")
            values += [experiment_id, *parameters]
        return f"(CASE t.experiment_id {' '.join(branches)} END)", values


def metric_sql(key: str, stat: str, dialect: Dialect) -> Sql:
    """A metric summary of the trial; ``key`` may be a clash key ``<display_name>/<metric>``."""
    label, _, name = key.rpartition("/")  # metric names never hold '/'
    owner = " AND coalesce(c.display_name, c.name) = ?" if label else ""
    walk = (
        f"(SELECT {_METRIC_STAT_SQL[stat]} {_METRICS} AND s.name = ? AND {OWN_COMPONENT}{owner}"
        f" {_LATEST})"
    )
    if label:  # a clash key: the trial has several components
        return walk, [name, label]
    series = f"metric_series s{dialect.index_hint('metric_series_lookup')}"
    sole = f"(SELECT {_METRIC_STAT_SQL[stat]} FROM {series} {_SOLE_METRICS} AND s.name = ?)"
    return _sole_or(sole, walk), [name, name]


def parameter_sql(key: str, dialect: Dialect, view: str | None = None) -> Sql:
    """A parameter of the trial (``view``: only a number, a string or a bool, else NULL)."""
    label, _, name = key.rpartition("/")
    owner = " AND coalesce(c.display_name, c.name) = ?" if label else ""
    value = "p.value"
    if view is not None:
        value = f"CASE WHEN p.type IN {_PARAMETER_TYPES[view]} THEN p.value END"
    walk = f"(SELECT {value} {_PARAMETERS} AND p.name = ?{owner} {_LATEST})"
    if label:
        return walk, [name, label]
    parameters = f"parameters p{dialect.index_hint('parameters_lookup')}"
    sole = f"(SELECT {value} FROM {parameters} {_SOLE_PARAMETERS} AND p.name = ?)"
    return _sole_or(sole, walk), [name, name]


def _sole_or(sole: str, walk: str) -> str:
    """``sole`` for a trial with a sole component (``sole_components.py``), else ``walk``
    (both take the same parameters, ``sole``'s first)."""
    return f"(CASE WHEN t.sole_component IS NOT NULL THEN {sole} ELSE {walk} END)"
