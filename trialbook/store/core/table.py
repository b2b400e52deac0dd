"""The trial table of an experiment in SQL: status filter, search, filters, sort and paging
compiled to one statement with bound parameters; only the requested page becomes rows.

The first 500 rows of a 10,000-trial experiment cost a fraction of the whole table. Sort and
filter keys are correlated subqueries over a trial's own components (shared components carry
no metrics for a trial); the status is the derived one (``statuses.py``).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from trialbook.errors import ValidationError
from trialbook.store.core.columns import TrialColumn, parse_trial_column
from trialbook.store.core.records import ExperimentRecord, TrialQuery, TrialTable
from trialbook.store.core.rows import trial_rows
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.table_columns import OWN_COMPONENT, experiment_columns
from trialbook.store.core.transaction import Transaction, marks
from trialbook.store.core.vocabulary import TRIAL_TIME_COLUMNS, objective_stat

_FINITE = "s.finite_count > 0 AND s.pos_inf_count = 0 AND s.neg_inf_count = 0"
_METRIC_STAT_SQL = {
    "min": "s.min_value",
    "max": "s.max_value",
    "last": "s.last_value",
    "count": "s.count",
    "avg": f"CASE WHEN {_FINITE} THEN s.mean END",
    # m2 / n is monotonic in the standard deviation: enough to sort and compare.
    "stddev": f"CASE WHEN {_FINITE} THEN s.m2 / s.finite_count END",
}
_COMPARISONS = {"eq": "=", "ne": "IS NOT", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

Sql = tuple[str, list[Any]]


def trial_table(
    tx: Transaction,
    store_key: str,
    experiment: ExperimentRecord,
    experiment_id: int,
    query: TrialQuery,
) -> TrialTable:
    query.validate()
    where, parameters = _where(tx, experiment, experiment_id, query)
    direction = "DESC" if query.descending else "ASC"
    if query.sort is None:  # creation order is id order: the primary key serves the page
        ordered = f"SELECT t.id FROM trials t WHERE {where} ORDER BY t.id {direction}"
        ordered_parameters = parameters
    else:
        key, key_parameters = _column_sql(tx, parse_trial_column(query.sort, "sort"), experiment)
        ordered = (
            f"SELECT id FROM (SELECT t.id AS id, {key} AS k FROM trials t WHERE {where}) page"
            f" ORDER BY CASE WHEN k IS NULL THEN 1 ELSE 0 END, k {direction}, id {direction}"
        )
        ordered_parameters = [*key_parameters, *parameters]
    total = tx.scalar(f"SELECT count(*) FROM trials t WHERE {where}", parameters)
    page_clause = tx.dialect.limit_offset(query.limit, query.offset)
    page = [row[0] for row in tx.execute(f"{ordered}{page_clause}", ordered_parameters)]
    rows = trial_rows(tx, experiment, page)
    if len(rows) == total and not query.search and not query.filters and not query.statuses:
        # Every trial is in the page: its rows name every column.
        variables = list(experiment.variables or ())
        parameter_names: list[str] = []
        metric_names: list[str] = []
    else:
        variables, parameter_names, metric_names = experiment_columns(
            tx, store_key, experiment, experiment_id
        )
    # Clash keys ("<display_name>/<name>") exist only per trial: add those of this page.
    for names, group in (
        (variables, "variables"),
        (parameter_names, "parameters"),
        (metric_names, "metrics"),
    ):
        known = set(names)
        for row in rows:
            for key in row[group] or ():
                if key not in known:
                    known.add(key)
                    names.append(key)
    # Variables are logged as parameters too: keep them first, in the variables' order.
    order = {name: index for index, name in enumerate(variables)}
    parameter_names.sort(key=lambda name: order.get(name, len(order)))
    return TrialTable(total, variables, parameter_names, metric_names, rows)


def _where(
    tx: Transaction, experiment: ExperimentRecord, experiment_id: int, query: TrialQuery
) -> Sql:
    """The WHERE condition (over trials ``t``) of the query's search, statuses and filters."""
    where, parameters = ["t.experiment_id = ?"], [experiment_id]
    if query.search:
        where.append(tx.dialect.contains_text("t.name"))
        parameters.append(query.search)
    if query.statuses:
        status, status_parameters = trial_status_sql(tx.now)
        where.append(f"{status} IN ({marks(len(query.statuses))})")
        parameters += [*status_parameters, *query.statuses]
    for item in query.filters:
        column = parse_trial_column(item.column, "filter column")
        expression, values = _column_sql(tx, column, experiment)
        condition, condition_values = _condition(tx, expression, item.op, item.value, item.column)
        where.append(condition)
        parameters += values + condition_values
    return " AND ".join(where), parameters


def _column_sql(tx: Transaction, column: TrialColumn, experiment: ExperimentRecord) -> Sql:
    """A SQL expression (over trials ``t``) giving the column's value, and its parameters."""
    if column.group == "fixed":
        if column.key == "objective_value":
            objective = objective_stat(experiment.objective)
            if objective is None:
                return "NULL", []
            return _column_sql(tx, TrialColumn("metrics", *objective), experiment)
        if column.key == "status":
            return trial_status_sql(tx.now)
        if column.key in ("start_time", "end_time"):
            aggregate = "min" if column.key == "start_time" else "max"
            return (
                f"(SELECT {aggregate}(c.{column.key}) FROM trial_components tc JOIN components c"
                " ON c.id = tc.component_id WHERE tc.trial_id = t.id)",
                [],
            )
        return f"t.{column.key}", []
    if column.group == "variables":
        return tx.dialect.json_member("t.variables"), [column.key]
    label, _, name = column.key.rpartition("/")  # names never hold '/': "<label>/<name>"
    owner = " AND coalesce(c.display_name, c.name) = ?" if label else ""
    owner_values = [label] if label else []
    if column.group == "parameters":
        return (
            "(SELECT p.value FROM trial_components tc JOIN components c ON c.id = tc.component_id"
            " JOIN parameters p ON p.component_id = c.id WHERE tc.trial_id = t.id AND p.name = ?"
            f"{owner} ORDER BY coalesce(c.start_time, c.creation_time) DESC LIMIT 1)",
            [name, *owner_values],
        )
    stat = _METRIC_STAT_SQL[column.stat or "last"]
    return (
        f"(SELECT {stat} FROM trial_components tc JOIN components c ON c.id = tc.component_id"
        " JOIN metric_series s ON s.component_id = c.id WHERE tc.trial_id = t.id AND s.name = ?"
        f" AND {OWN_COMPONENT}{owner} ORDER BY coalesce(c.start_time, c.creation_time) DESC"
        " LIMIT 1)",
        [name, *owner_values],
    )


def _condition(tx: Transaction, expression: str, op: str, value: Any, column: str) -> Sql:
    if isinstance(value, bool):
        value = int(value)
    if column in TRIAL_TIME_COLUMNS and isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise ValidationError(
                f"filter: {column} takes an ISO 8601 time or epoch seconds, not {value!r}"
            ) from None
    if op == "contains":
        return tx.dialect.contains_text(expression), [str(value)]
    if value is None:
        if op not in ("eq", "ne"):
            raise ValidationError(f"filter: {column} can only be compared to null with eq or ne")
        return f"{expression} {'IS' if op == 'eq' else 'IS NOT'} NULL", []
    if isinstance(value, float) and math.isnan(value):
        raise ValidationError("filter: NaN cannot be compared; use eq null for missing values")
    return f"{expression} {_COMPARISONS[op]} ?", [value]
