"""The query language over SQLite's trial table: the names' SQL and the names a query may use.

``trialbook.query`` compiles the logic; this module says what each name is over trials ``t``
(the same expressions the table sorts and filters by, see ``sqlite_table._column_sql``), so a
query matches exactly the rows the table shows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from trialbook import settings
from trialbook.query import Field, QuerySchema, Sql, condition_sql
from trialbook.store.base import ExperimentRecord

_OWN = (
    "NOT EXISTS (SELECT 1 FROM trial_components x"
    " WHERE x.component_id = tc.component_id AND x.trial_id != t.id)"
)
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
_METRIC_FROM = (
    "FROM trial_components tc JOIN components c ON c.id = tc.component_id"
    " JOIN metric_series s ON s.component_id = c.id WHERE tc.trial_id = t.id"
)
_PARAMETER_FROM = (
    "FROM trial_components tc JOIN components c ON c.id = tc.component_id"
    " JOIN parameters p ON p.component_id = c.id WHERE tc.trial_id = t.id"
)
_LATEST_COMPONENT = "ORDER BY coalesce(c.start_time, c.creation_time) DESC LIMIT 1"
_JSON_TYPES = {"number": "('integer', 'real')", "text": "('text')"}
_PARAMETER_TYPES = {"number": "('int', 'float')", "text": "('str')"}


def query_condition(
    connection: sqlite3.Connection,
    query: str,
    experiments: Sequence[tuple[int, ExperimentRecord]],
    now: float,
) -> Sql:
    """The SQL condition (over trials ``t``) of ``query`` among these (id, experiment)s."""
    _ensure_sqrt(connection)
    schema = query_schema(connection, [experiment_id for experiment_id, _ in experiments])
    return condition_sql(query, schema, TrialFieldSql(experiments, now))


def matching_trial_ids(
    connection: sqlite3.Connection,
    query: str,
    experiments: Sequence[tuple[int, ExperimentRecord]],
    now: float,
) -> list[int]:
    """Ids of these experiments' trials that ``query`` matches, in creation order."""
    condition, parameters = query_condition(connection, query, experiments, now)
    marks = ",".join("?" * len(experiments))
    return [
        row[0]
        for row in connection.execute(
            f"SELECT t.id FROM trials t WHERE t.experiment_id IN ({marks}) AND {condition}"
            " ORDER BY t.id",
            [*(experiment_id for experiment_id, _ in experiments), *parameters],
        )
    ]


def query_schema(connection: sqlite3.Connection, experiment_ids: Sequence[int]) -> QuerySchema:
    """The variables, parameters and metric names of these experiments' trials."""
    marks = ",".join("?" * len(experiment_ids))
    within = f"t.experiment_id IN ({marks})"
    ids = list(experiment_ids)
    declared = [
        row[0]
        for row in connection.execute(
            "SELECT j.key FROM experiments e, json_each(e.variables) j"
            f" WHERE e.id IN ({marks}) AND json_type(e.variables) = 'object'",
            ids,
        )
    ]
    variables = declared + [
        row[0]
        for row in connection.execute(
            f"SELECT j.key FROM trials t, json_each(t.variables) j WHERE {within}"
            " AND json_type(t.variables) = 'object' GROUP BY j.key ORDER BY min(t.id)",
            ids,
        )
    ]
    parameters = [
        row[0]
        for row in connection.execute(
            "SELECT p.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            f" JOIN parameters p ON p.component_id = tc.component_id WHERE {within}"
            " GROUP BY p.name ORDER BY min(p.rowid)",
            ids,
        )
    ]
    metrics = [
        row[0]
        for row in connection.execute(
            "SELECT s.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            f" JOIN metric_series s ON s.component_id = tc.component_id WHERE {within}"
            f" AND {_OWN} GROUP BY s.name ORDER BY min(s.id)",
            ids,
        )
    ]
    return QuerySchema.of(variables, parameters, metrics)


class TrialFieldSql:
    """A query name → its SQL expression over trials ``t`` (a ``trialbook.query.ColumnSql``)."""

    def __init__(self, experiments: Sequence[tuple[int, ExperimentRecord]], now: float) -> None:
        self.experiments = experiments
        self.now = now

    def __call__(self, field: Field, view: str | None) -> Sql:
        if field.kind == "attribute":
            return self.attribute(field.key)
        if field.kind == "metric":
            return metric_sql(field.key, field.stat or "last")
        if field.kind == "tag":
            return "(SELECT j.value FROM json_each(t.tags) j WHERE j.key = ?)", [field.key]
        if field.kind == "variable":
            return variable_sql(field.key, view)
        if field.kind == "parameter":
            return parameter_sql(field.key, view)
        variable, variable_values = variable_sql(field.key, view)  # a bare name
        parameter, parameter_values = parameter_sql(field.key, view)
        return f"coalesce({variable}, {parameter})", [*variable_values, *parameter_values]

    def attribute(self, key: str) -> Sql:
        if key == "name":
            return "t.name", []
        if key == "created":
            return "t.creation_time", []
        if key == "experiment":
            return "(SELECT e.name FROM experiments e WHERE e.id = t.experiment_id)", []
        if key == "started":
            return f"(SELECT min(c.start_time) {_COMPONENTS})", []
        if key == "ended":
            return f"(SELECT max(c.end_time) {_COMPONENTS})", []
        if key == "duration":
            return f"(SELECT max(c.end_time) - min(c.start_time) {_COMPONENTS})", []
        if key == "status":
            return status_sql(self.now)
        assert key == "objective"
        return self.objective()

    def objective(self) -> Sql:
        """Each experiment's objective value: its metric and summary, chosen per trial."""
        branches, values = [], []
        for experiment_id, experiment in self.experiments:
            stat = objective_stat(experiment.objective)
            if stat is None:
                continue
            sql, parameters = metric_sql(*stat)
            branches.append(f"WHEN ? THEN {sql}")
            values += [experiment_id, *parameters]
        if not branches:
            return "NULL", []
        return f"(CASE t.experiment_id {' '.join(branches)} END)", values


def objective_stat(objective: dict[str, Any] | None) -> tuple[str, str] | None:
    """(metric, summary) deciding a trial's objective value, as the trial rows compute it."""
    if not objective or not objective.get("metric"):
        return None
    if objective.get("summary", "best") == "last":
        return objective["metric"], "last"
    return objective["metric"], "max" if objective.get("goal", "maximize") == "maximize" else "min"


def status_sql(now: float) -> Sql:
    """The derived trial status: InProgress while a component's writer is alive, else the
    status of the latest started component (a stale InProgress one reads Interrupted)."""
    fresh = now - settings.stale_seconds()
    return (
        "(CASE WHEN EXISTS (SELECT 1 "
        f"{_COMPONENTS} AND c.status = 'InProgress' AND c.heartbeat_time >= ?)"
        " THEN 'InProgress' ELSE (SELECT CASE WHEN c.status = 'InProgress' THEN 'Interrupted'"
        f" ELSE c.status END {_COMPONENTS} AND c.status IS NOT NULL"
        " ORDER BY coalesce(c.start_time, c.creation_time) DESC, c.id DESC LIMIT 1) END)",
        [fresh],
    )


def metric_sql(key: str, stat: str) -> Sql:
    label, _, name = key.rpartition("/")  # a clash key: "<display_name>/<metric>"
    owner = " AND coalesce(c.display_name, c.name) = ?" if label else ""
    return (
        f"(SELECT {_METRIC_STAT_SQL[stat]} {_METRIC_FROM} AND s.name = ? AND {_OWN}{owner}"
        f" {_LATEST_COMPONENT})",
        [name, *([label] if label else [])],
    )


def variable_sql(key: str, view: str | None) -> Sql:
    value = (
        "j.value" if view is None else f"CASE WHEN j.type IN {_JSON_TYPES[view]} THEN j.value END"
    )
    return f"(SELECT {value} FROM json_each(t.variables) j WHERE j.key = ?)", [key]


def parameter_sql(key: str, view: str | None) -> Sql:
    label, _, name = key.rpartition("/")
    owner = " AND coalesce(c.display_name, c.name) = ?" if label else ""
    value = (
        "p.value"
        if view is None
        else (f"CASE WHEN p.type IN {_PARAMETER_TYPES[view]} THEN p.value END")
    )
    return (
        f"(SELECT {value} {_PARAMETER_FROM} AND p.name = ?{owner} {_LATEST_COMPONENT})",
        [name, *([label] if label else [])],
    )


def _ensure_sqrt(connection: sqlite3.Connection) -> None:
    """SQLite builds without the math functions lack sqrt (stddev): provide it."""
    try:
        connection.execute("SELECT sqrt(4.0)")
    except sqlite3.OperationalError:
        connection.create_function(
            "sqrt", 1, lambda x: None if x is None or x < 0 else x**0.5, deterministic=True
        )
