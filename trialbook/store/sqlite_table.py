"""The trial table of an experiment in SQL: filter, sort and page before building rows.

Only the requested page is materialized, so the first 500 rows of a 10,000-trial experiment
cost a fraction of the whole table. Sort and filter keys are correlated subqueries over a
trial's own components (shared components carry no metrics for a trial).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trialbook import settings
from trialbook.errors import ValidationError
from trialbook.status import trial_status
from trialbook.store.base import (
    ExperimentRecord,
    TrialColumn,
    TrialQuery,
    TrialTable,
    _matches,
    parse_trial_column,
    trial_metric_keys,
)

if TYPE_CHECKING:
    from trialbook.store.sqlite import SqliteStore

_CHUNK = 500
_OWN = (
    "NOT EXISTS (SELECT 1 FROM trial_components x"
    " WHERE x.component_id = tc.component_id AND x.trial_id != t.id)"
)
_METRIC_STAT_SQL = {
    "min": "s.min_value",
    "max": "s.max_value",
    "last": "s.last_value",
    "count": "s.count",
    "avg": "CASE WHEN s.finite_count > 0 AND s.pos_inf_count = 0 AND s.neg_inf_count = 0"
    " THEN s.mean END",
    "stddev": "CASE WHEN s.finite_count > 0 AND s.pos_inf_count = 0 AND s.neg_inf_count = 0"
    " THEN s.m2 / s.finite_count END",  # monotonic in the deviation: enough to sort and compare
}
_COMPARISONS = {"eq": "=", "ne": "IS NOT", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_TIME_COLUMNS = frozenset({"creation_time", "last_activity", "start_time", "end_time"})
#: The table shows where a trial came from; ``GET components/{name}`` has the whole record.
_ROW_PROVENANCE = (
    "json_remove(c.provenance, '$.packages', '$.cell_source', '$.argv', '$.python_executable',"
    " '$.pid', '$.captured_at', '$.trialbook', '$.python', '$.cwd')"
)


def trial_table(
    store: SqliteStore, connection: sqlite3.Connection, experiment_name: str, query: TrialQuery
) -> TrialTable:
    query.validate()
    experiment = store._experiment_by_name(connection, experiment_name)
    experiment_id = store._id(connection, "experiments", experiment_name)
    where, parameters = ["t.experiment_id = ?"], [experiment_id]
    if query.search:
        where.append("instr(lower(t.name), lower(?)) > 0")
        parameters.append(query.search)
    status_filters = [item for item in query.filters if item.column == "status"]
    for item in query.filters:
        if item.column == "status":
            continue  # derived on read: filtered below
        expression, values = _column_sql(parse_trial_column(item.column), experiment)
        condition, condition_values = _condition(expression, item.op, item.value, item.column)
        where.append(condition)
        parameters += values + condition_values
    sort = parse_trial_column(query.sort) if query.sort else None
    direction = "DESC" if query.descending else "ASC"
    by_status = sort is not None and sort.group == "fixed" and sort.key == "status"
    if sort is None:  # creation order is id order: the primary key serves the page directly
        ordered_sql = (
            f"SELECT t.id FROM trials t WHERE {' AND '.join(where)} ORDER BY t.id {direction}"
        )
        ordered_values = list(parameters)
    else:
        key_sql, key_values = ("NULL", []) if by_status else _column_sql(sort, experiment)
        ordered_sql = (
            f"SELECT id FROM (SELECT t.id AS id, {key_sql} AS k FROM trials t"
            f" WHERE {' AND '.join(where)}) ORDER BY k IS NULL, k {direction}, id {direction}"
        )
        ordered_values = [*key_values, *parameters]
    if query.statuses or status_filters or by_status:
        ids = [row[0] for row in connection.execute(ordered_sql, ordered_values)]
        statuses = store._trial_statuses(connection, ids)
        if query.statuses:
            wanted = set(query.statuses)
            ids = [trial_id for trial_id in ids if statuses.get(trial_id) in wanted]
        for item in status_filters:
            ids = [i for i in ids if _matches(statuses.get(i), item.op, item.value)]
        if by_status:
            ids.sort(key=lambda trial_id: statuses.get(trial_id) or "", reverse=query.descending)
            ids.sort(key=lambda trial_id: statuses.get(trial_id) is None)
        total = len(ids)
        end = None if query.limit is None else query.offset + query.limit
        page = ids[query.offset : end]
    else:
        total = connection.execute(
            f"SELECT count(*) FROM trials t WHERE {' AND '.join(where)}", parameters
        ).fetchone()[0]
        page = [
            row[0]
            for row in connection.execute(
                f"{ordered_sql} LIMIT ? OFFSET ?",
                [*ordered_values, -1 if query.limit is None else query.limit, query.offset],
            )
        ]
    rows = trial_rows_by_id(store, connection, experiment, page)
    if len(rows) == total and not query.search and not query.filters and not query.statuses:
        # Every trial is in the page: its rows name every column.
        variables = list(experiment.variables or ())
        parameter_names, metric_names = [], []
    else:
        variables, parameter_names, metric_names = _cached_columns(
            store, connection, experiment, experiment_id
        )
    # Clash keys ("<display_name>/<name>") exist only per trial: add those of this page.
    seen_variables: dict[str, Any] = {}
    seen_parameters: dict[str, Any] = {}
    seen_metrics: dict[str, Any] = {}
    for row in rows:
        seen_variables.update(row["variables"] or ())
        seen_parameters.update(row["parameters"])
        seen_metrics.update(row["metrics"])
    for names, seen in (
        (variables, seen_variables),
        (parameter_names, seen_parameters),
        (metric_names, seen_metrics),
    ):
        known = set(names)
        names.extend(key for key in seen if key not in known)
    # Variables are logged as parameters too: keep them first, in the variables' order.
    order = {name: index for index, name in enumerate(variables)}
    parameter_names.sort(key=lambda name: order.get(name, len(order)))
    return TrialTable(total, variables, parameter_names, metric_names, rows)


#: (store path, experiment id, creation time) → (change cursor, columns). Every write appends
#: to the change feed, so the columns are brought up to date from the changes since the cached
#: cursor (new parameter and metric names) instead of a scan of every parameter of the
#: experiment, which costs ~0.1 s at 10,000 trials.
_columns_cache: dict[
    tuple[str, int, float], tuple[int, tuple[list[str], list[str], list[str]]]
] = {}
_COLUMNS_CACHE_SIZE = 64
_MAX_CHANGES_TO_APPLY = 5000
#: Changes that cannot add a column (or only with names given in their payload).
_NO_NEW_COLUMNS = frozenset(
    {
        "component.status",
        "component.updated",
        "component.created",
        "artifact.logged",
        "trial.updated",
        "experiment.created",
    }
)


def _cached_columns(
    store: SqliteStore,
    connection: sqlite3.Connection,
    experiment: ExperimentRecord,
    experiment_id: int,
) -> tuple[list[str], list[str], list[str]]:
    cursor = connection.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    key = (str(store.path), experiment_id, experiment.creation_time)
    cached = _columns_cache.get(key)
    columns = None
    if cached is not None and cached[0] <= cursor:
        columns = _apply_changes(connection, experiment, cached[0], cursor, cached[1])
    if columns is None:
        columns = _columns(connection, experiment, experiment_id)
    if len(_columns_cache) >= _COLUMNS_CACHE_SIZE:
        _columns_cache.clear()
    _columns_cache[key] = (cursor, columns)
    return tuple(list(names) for names in columns)  # type: ignore[return-value]


def _apply_changes(
    connection: sqlite3.Connection,
    experiment: ExperimentRecord,
    since: int,
    until: int,
    columns: tuple[list[str], list[str], list[str]],
) -> tuple[list[str], list[str], list[str]] | None:
    """The columns after the changes in (since, until], or None when a rescan is needed."""
    if until == since:
        return columns
    if until - since > _MAX_CHANGES_TO_APPLY:
        return None
    variables, parameters, metrics = (list(names) for names in columns)
    for kind, experiment_name, payload in connection.execute(
        "SELECT kind, experiment_name, payload FROM changes WHERE seq > ? AND seq <= ?",
        (since, until),
    ):
        if kind in _NO_NEW_COLUMNS:
            continue
        if kind in ("parameters.logged", "metrics.appended"):
            data = json.loads(payload)
            if experiment.name not in data.get("experiments", ()):
                continue
            names = data.get("names") if kind == "parameters.logged" else data.get("metrics")
            target = parameters if kind == "parameters.logged" else metrics
            target.extend(name for name in names or () if name not in target)
            continue
        if experiment_name != experiment.name:
            if kind.startswith("trial.") or kind == "deleted":
                continue  # another experiment's trial
            return None
        if kind == "trial.created" and experiment.variables:
            continue  # declared variables: a trial adds none
        if kind == "experiment.updated" and "variables" not in json.loads(payload).get(
            "fields", ["variables"]
        ):
            continue
        return None  # anything else touching this experiment: rescan
    return variables, parameters, metrics


def _columns(
    connection: sqlite3.Connection, experiment: ExperimentRecord, experiment_id: int
) -> tuple[list[str], list[str], list[str]]:
    if experiment.variables:
        variables = list(experiment.variables)
    else:
        variables = [
            row[0]
            for row in connection.execute(
                "SELECT j.key FROM trials t, json_each(t.variables) j WHERE t.experiment_id = ?"
                " AND json_type(t.variables) = 'object' GROUP BY j.key ORDER BY min(t.id)",
                (experiment_id,),
            )
        ]
    parameter_names = [
        row[0]
        for row in connection.execute(
            "SELECT p.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            " JOIN parameters p ON p.component_id = tc.component_id WHERE t.experiment_id = ?"
            " GROUP BY p.name ORDER BY min(p.rowid)",
            (experiment_id,),
        )
    ]
    metric_names = [
        row[0]
        for row in connection.execute(
            "SELECT s.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            f" JOIN metric_series s ON s.component_id = tc.component_id WHERE t.experiment_id = ?"
            f" AND {_OWN} GROUP BY s.name ORDER BY min(s.id)",
            (experiment_id,),
        )
    ]
    return variables, parameter_names, metric_names


def _column_sql(column: TrialColumn, experiment: ExperimentRecord) -> tuple[str, list[Any]]:
    """A SQL expression (over trials ``t``) giving the column's value, and its parameters."""
    if column.group == "fixed":
        if column.key == "objective_value":
            return _objective_sql(experiment)
        if column.key in ("start_time", "end_time"):
            aggregate = "min" if column.key == "start_time" else "max"
            return (
                f"(SELECT {aggregate}(c.{column.key}) FROM trial_components tc JOIN components c"
                " ON c.id = tc.component_id WHERE tc.trial_id = t.id)",
                [],
            )
        return f"t.{column.key}", []
    if column.group == "variables":
        return "(SELECT j.value FROM json_each(t.variables) j WHERE j.key = ?)", [column.key]
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
        f" AND {_OWN}{owner} ORDER BY coalesce(c.start_time, c.creation_time) DESC LIMIT 1)",
        [name, *owner_values],
    )


def _objective_sql(experiment: ExperimentRecord) -> tuple[str, list[Any]]:
    objective = experiment.objective
    if not objective or not objective.get("metric"):
        return "NULL", []
    if objective.get("summary", "best") == "last":
        stat = "last"
    else:
        stat = "max" if objective.get("goal", "maximize") == "maximize" else "min"
    return _column_sql(TrialColumn("metrics", objective["metric"], stat), experiment)


def _condition(expression: str, op: str, value: Any, column: str) -> tuple[str, list[Any]]:
    if isinstance(value, bool):
        value = int(value)
    if column in _TIME_COLUMNS and isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise ValidationError(
                f"filter: {column} takes an ISO 8601 time or epoch seconds, not {value!r}"
            ) from None
    if op == "contains":
        return f"instr(lower(CAST({expression} AS TEXT)), lower(?)) > 0", [str(value)]
    if value is None:
        if op not in ("eq", "ne"):
            raise ValidationError(f"filter: {column} can only be compared to null with eq or ne")
        return f"{expression} {'IS' if op == 'eq' else 'IS NOT'} NULL", []
    if isinstance(value, float) and math.isnan(value):
        raise ValidationError("filter: NaN cannot be compared; use eq null for missing values")
    return f"{expression} {_COMPARISONS[op]} ?", [value]


def trial_rows_by_id(
    store: SqliteStore,
    connection: sqlite3.Connection,
    experiment: ExperimentRecord,
    trial_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Rows (see ``Store.trial_rows``) of these trials, in this order, built set-wise.

    Metric summaries are plain dicts of the TRIAL_METRIC_STATS: this is the hot path of the
    whole-table request, so it avoids per-value objects."""
    from trialbook.store.sqlite import _merged_parameters

    rows: dict[int, dict[str, Any]] = {}
    members: dict[int, list[dict[str, Any]]] = {}
    components: dict[int, dict[str, Any]] = {}
    now, stale = time.time(), settings.stale_seconds()
    loads = json.loads
    for chunk in _chunks(trial_ids):
        marks = ",".join("?" * len(chunk))
        for trial_id, name, variables, tags, notes, created, activity in connection.execute(
            "SELECT id, name, variables, tags, notes, creation_time, last_activity FROM trials"
            f" WHERE id IN ({marks})",
            chunk,
        ):
            rows[trial_id] = {
                "name": name,
                "experiment_name": experiment.name,
                "variables": None if variables is None else loads(variables),
                "tags": {} if tags is None or tags == "{}" else loads(tags),
                "notes": notes,
                "creation_time": created,
                "last_activity": activity,
            }
            members[trial_id] = []
        for row in connection.execute(
            "SELECT tc.trial_id, c.id, c.name, c.display_name, c.status, c.heartbeat_time,"
            " c.start_time, c.end_time, c.creation_time, c.provenance IS NOT NULL,"
            " (SELECT count(*) FROM trial_components x WHERE x.component_id = c.id)"
            " FROM trial_components tc JOIN components c ON c.id = tc.component_id"
            f" WHERE tc.trial_id IN ({marks}) ORDER BY c.id",
            chunk,
        ):
            component = components.get(row[1])
            if component is None:
                status = row[4]
                if status == "InProgress" and (row[5] is None or now - row[5] > stale):
                    status = "Interrupted"  # the writer's heartbeat stopped
                component = components[row[1]] = {
                    "id": row[1],
                    "name": row[2],
                    "display_name": row[3],
                    "status": status,
                    "start_time": row[6],
                    "end_time": row[7],
                    "started": row[6] or row[8],
                    "creation_time": row[8],
                    "has_provenance": bool(row[9]),
                    "shared": row[10] > 1,
                    "parameters": {},
                    "metrics": {},
                }
            members[row[0]].append(component)
    component_ids = list(components)
    for chunk in _chunks(component_ids):
        marks = ",".join("?" * len(chunk))
        current, target = None, {}
        for component_id, name, kind, value in connection.execute(
            "SELECT component_id, name, type, value FROM parameters"
            f" WHERE component_id IN ({marks}) ORDER BY component_id, rowid",
            chunk,
        ):
            if component_id != current:
                current, target = component_id, components[component_id]["parameters"]
            if kind == "float":
                target[name] = math.nan if value is None else value  # NULL float means NaN
            elif kind == "bool":
                target[name] = bool(value)
            else:
                target[name] = value
        current = None
        for row in connection.execute(
            "SELECT component_id, name, count, finite_count, pos_inf_count, neg_inf_count, mean,"
            " m2, min_value, max_value, last_step, last_value FROM metric_series"
            f" WHERE component_id IN ({marks}) ORDER BY component_id",
            chunk,
        ):
            if row[0] != current:
                current, target = row[0], components[row[0]]["metrics"]
            target[row[1]] = _summary_dict(row)
    provenance_of = _latest_provenance(connection, members)
    objective = experiment.objective or {}
    objective_metric = objective.get("metric")
    objective_stat = (
        "last"
        if objective.get("summary", "best") == "last"
        else "max"
        if objective.get("goal", "maximize") == "maximize"
        else "min"
    )
    result = []
    for trial_id in trial_ids:
        row = rows[trial_id]
        ordered = members[trial_id]
        if len(ordered) > 1:
            ordered.sort(key=lambda c: c["started"])
        own = [c for c in ordered if not c["shared"]]
        if len(own) == 1:  # the common case: one training component, no clash possible
            metrics = dict(own[0]["metrics"])
        else:
            keys = trial_metric_keys(
                [(c["name"], c["display_name"], c["started"], list(c["metrics"])) for c in own]
            )
            by_name = {c["name"]: c for c in own}
            metrics = {
                key: by_name[name]["metrics"][metric] for key, (name, metric) in keys.items()
            }
        with_parameters = [c for c in ordered if c["parameters"]]
        if len(with_parameters) == 1:
            parameters = dict(with_parameters[0]["parameters"])
        else:
            parameters = _merged_parameters(ordered)
        objective_value = None
        if objective_metric:
            holders = [c for c in own if objective_metric in c["metrics"]]
            if holders:
                latest = max(holders, key=lambda c: c["started"])
                objective_value = latest["metrics"][objective_metric][objective_stat]
        row["status"] = trial_status(
            (c["status"], c["start_time"], c["creation_time"]) for c in ordered
        )
        row["start_time"] = min((c["start_time"] for c in ordered if c["start_time"]), default=None)
        row["end_time"] = max((c["end_time"] for c in ordered if c["end_time"]), default=None)
        row["components"] = [c["name"] for c in ordered]
        row["parameters"] = parameters
        row["metrics"] = metrics
        row["objective_value"] = objective_value
        row["provenance"] = provenance_of.get(trial_id)
        result.append(row)
    return result


def _summary_dict(row: Sequence[Any]) -> dict[str, Any]:
    """A metric summary (the rules of ``sqlite._summary``) as a dict of TRIAL_METRIC_STATS."""
    (_, _, count, finite, pos_inf, neg_inf, mean, m2, minimum, maximum, last_step, last) = row
    if last is None and last_step is not None:
        last = math.nan  # stored NULL means NaN
    if not pos_inf and not neg_inf:
        if finite:
            return {
                "min": minimum,
                "max": maximum,
                "avg": mean,
                "stddev": math.sqrt(m2 / finite) if m2 > 0 else 0.0,
                "last": last,
                "count": count,
            }
        return {
            "min": minimum,
            "max": maximum,
            "avg": None,
            "stddev": None,
            "last": last,
            "count": count,
        }
    average = math.nan if pos_inf and neg_inf else (math.inf if pos_inf else -math.inf)
    return {
        "min": minimum,
        "max": maximum,
        "avg": average,
        "stddev": math.nan,
        "last": last,
        "count": count,
    }


def _latest_provenance(
    connection: sqlite3.Connection, members: dict[int, list[dict[str, Any]]]
) -> dict[int, Any]:
    """trial id → provenance of its latest component that has one (without package lists)."""
    from trialbook.store.sqlite import _loads

    latest: dict[int, int] = {}
    for trial_id, components in members.items():
        candidates = [c for c in components if c["has_provenance"]]
        if candidates:
            latest[trial_id] = max(candidates, key=lambda c: (c["started"], c["id"]))["id"]
    texts: dict[int, Any] = {}
    wanted = sorted(set(latest.values()))
    for chunk in _chunks(wanted):
        marks = ",".join("?" * len(chunk))
        texts.update(
            connection.execute(
                f"SELECT c.id, {_ROW_PROVENANCE} FROM components c WHERE c.id IN ({marks})", chunk
            )
        )
    parsed = {component_id: _loads(text) for component_id, text in texts.items()}
    return {trial_id: parsed.get(component_id) for trial_id, component_id in latest.items()}


def _chunks(items: Sequence[int]) -> list[list[int]]:
    return [list(items[start : start + _CHUNK]) for start in range(0, len(items), _CHUNK)]
