"""The trial table of one experiment, or of several, in SQL: status filter, search, filters,
query (``trialbook.store.core.query``), sort and paging compiled to one statement with bound
parameters; only the requested page becomes rows.

The first 500 rows of a 10,000-trial experiment cost a fraction of the whole table. Sort and
filter keys are correlated subqueries (``trial_values.py``: one covering-index probe for a
trial with a sole component, else a walk over its own components); the status is the derived
one (``statuses.py``). A sorted page and its total come from one pass.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from trialbook.errors import ValidationError
from trialbook.store.core import table_matches
from trialbook.store.core.columns import parse_trial_column
from trialbook.store.core.query import condition_sql
from trialbook.store.core.records import TrialQuery, TrialTable
from trialbook.store.core.rows import trial_rows
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.table_columns import experiment_columns
from trialbook.store.core.transaction import Transaction, chunks, marks
from trialbook.store.core.trial_values import (
    Experiments,
    TrialValueSql,
    column_field,
    query_schema,
)
from trialbook.store.core.vocabulary import TRIAL_TIME_COLUMNS

_COMPARISONS = {"eq": "=", "ne": "IS NOT", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}

Sql = tuple[str, list[Any]]


def trial_table(
    tx: Transaction,
    store_key: str,
    experiments: Experiments,
    query: TrialQuery,
    *,
    every_experiment: bool = False,
    reader: table_matches.Reader | None = None,
) -> TrialTable:
    """The table of these experiments' trials (one experiment's, or several with the union of
    their columns; ``every_experiment``: they are all the store has): ``query`` filters,
    sorts and pages in the database; only the page becomes rows. ``reader`` (the store's
    ``read``) lets a sort's whole order be listed after the answer."""
    query.validate()
    values = TrialValueSql(tx, experiments)
    filtered = _filter(tx, experiments, values, query)
    scope = _scope(experiments, every_experiment)
    total, page = _page(tx, store_key, values, query, scope, filtered, reader)
    rows = _rows(tx, experiments, page)
    whole = not query.search and not query.filters and not query.statuses and not query.query
    if len(experiments) == 1 and len(rows) == total and whole:
        # Every trial is in the page: its rows name every column.
        variables = list(experiments[0][1].variables or ())
        parameter_names: list[str] = []
        metric_names: list[str] = []
    else:
        variables, parameter_names, metric_names = [], [], []
        for experiment_id, experiment in experiments:
            names = experiment_columns(tx, experiment, experiment_id)
            for target, more in zip((variables, parameter_names, metric_names), names, strict=True):
                target += [name for name in more if name not in target]
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


def matching_trial_ids(
    tx: Transaction,
    experiments: Experiments,
    query: TrialQuery,
    *,
    every_experiment: bool = False,
) -> list[int]:
    """Ids of the trials ``query`` keeps (its search, statuses, filters and query), in
    creation order: the rows ``trial_table`` pages through, without building them."""
    query.validate()
    values = TrialValueSql(tx, experiments)
    where, parameters = _where(
        _scope(experiments, every_experiment), _filter(tx, experiments, values, query)
    )
    return [
        row[0]
        for row in tx.execute(f"SELECT t.id FROM trials t WHERE {where} ORDER BY t.id", parameters)
    ]


def _page(
    tx: Transaction,
    store_key: str,
    values: TrialValueSql,
    query: TrialQuery,
    scope: Sql,
    filtered: Sql | None,
    reader: table_matches.Reader | None,
) -> tuple[int, list[int]]:
    """(how many trials match, the ids of the page in order).

    A filtered or sorted query lists every match in order (``table_matches``: cached until
    the next write), and its pages are slices of that list (a sort's first page may come
    first, its list after). Otherwise (creation order
    without a filter, or a status that moves with the clock) the page is read alone, and a
    sorted page and its total come from one pass (the total as a window count)."""
    direction = "DESC" if query.descending else "ASC"
    key, key_parameters = "t.id", []
    if query.sort is not None:
        key, key_parameters = values(column_field(parse_trial_column(query.sort, "sort")))
    if (query.sort is not None or filtered) and not (query.statuses or values.uses_clock):
        return table_matches.page_ids(
            tx,
            table_matches.MatchQuery(
                store_key,
                scope[0],
                tuple(scope[1]),
                None if filtered is None else filtered[0],
                () if filtered is None else tuple(filtered[1]),
                None if query.sort is None else key,
                tuple(key_parameters),
                query.descending,
            ),
            query.offset,
            query.limit,
            reader,
        )
    where, parameters = _where(scope, filtered)
    page_clause = tx.dialect.limit_offset(query.limit, query.offset)
    if query.sort is None:  # creation order is id order: the primary key serves the page
        ordered = f"SELECT t.id FROM trials t WHERE {where} ORDER BY t.id {direction}"
        page = [row[0] for row in tx.execute(f"{ordered}{page_clause}", parameters)]
    else:
        rows = tx.execute(
            f"SELECT id, count(*) OVER () FROM (SELECT t.id AS id, {key} AS k FROM trials t"
            f" WHERE {where}) page ORDER BY k {direction} NULLS LAST, id {direction}{page_clause}",
            [*key_parameters, *parameters],
        ).fetchall()
        page = [row[0] for row in rows]
        if rows:
            return rows[0][1], page
    return tx.scalar(f"SELECT count(*) FROM trials t WHERE {where}", parameters), page


def _rows(tx: Transaction, experiments: Experiments, page: list[int]) -> list[dict[str, Any]]:
    """The rows of ``page`` in its order, each built with its own experiment's objective."""
    if len(experiments) == 1:
        return trial_rows(tx, experiments[0][1], page)
    experiment_of: dict[int, int] = {}
    for chunk in chunks(page):
        experiment_of.update(
            tx.execute(
                f"SELECT id, experiment_id FROM trials WHERE id IN ({marks(len(chunk))})",
                list(chunk),
            )
        )
    built: dict[int, dict[str, Any]] = {}
    for experiment_id, experiment in experiments:
        ids = [trial_id for trial_id in page if experiment_of.get(trial_id) == experiment_id]
        if ids:
            built.update(zip(ids, trial_rows(tx, experiment, ids), strict=True))
    return [built[trial_id] for trial_id in page]


def _scope(experiments: Experiments, every_experiment: bool) -> Sql:
    """The condition (over trials ``t``) of being a trial of these experiments."""
    if every_experiment:
        return "1 = 1", []
    ids = [experiment_id for experiment_id, _ in experiments]
    return (f"t.experiment_id IN ({marks(len(ids))})" if ids else "1 = 0"), ids


def _where(scope: Sql, filtered: Sql | None) -> Sql:
    if filtered is None:
        return scope
    return f"{scope[0]} AND {filtered[0]}", [*scope[1], *filtered[1]]


def _filter(
    tx: Transaction, experiments: Experiments, values: TrialValueSql, query: TrialQuery
) -> Sql | None:
    """The condition (over trials ``t``) of the query's search, statuses, filters and query
    text; None when it keeps every trial."""
    where: list[str] = []
    parameters: list[Any] = []
    if query.search and query.search.strip():
        where.append(search_sql(tx))
        parameters += [query.search.strip()] * 2
    if query.statuses:
        status, status_parameters = trial_status_sql(tx.now)
        where.append(f"{status} IN ({marks(len(query.statuses))})")
        parameters += [*status_parameters, *query.statuses]
    for item in query.filters:
        column = parse_trial_column(item.column, "filter column")
        expression, expression_values = values(column_field(column))
        condition, condition_values = _condition(tx, expression, item.op, item.value, item.column)
        where.append(condition)
        parameters += expression_values + condition_values
    if query.query:
        schema = query_schema(tx, experiments)
        condition, condition_values = condition_sql(query.query, schema, values, tx.dialect)
        where.append(condition)
        parameters += condition_values
    return (" AND ".join(f"({item})" for item in where), parameters) if where else None


def search_sql(tx: Transaction) -> str:
    """The one search rule: the trial's name, or one of its variables written ``name=value``,
    contains the text (case-insensitive). Takes the text twice."""
    members, key, value = tx.dialect.json_members_as_text("t.variables")
    name = tx.dialect.contains_text("t.name")
    variable = tx.dialect.contains_text(f"{key} || '=' || {value}")
    return f"({name} OR EXISTS (SELECT 1 FROM {members} WHERE {variable}))"


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
