"""The one trial-row builder: ``Store.trial_rows`` and every page of ``Store.trial_table``.

A row is the trial's record plus what its components say: start and end time, component
names, parameters, metric summaries (TRIAL_METRIC_STATS dicts), objective value and the
provenance of its latest component. Built set-wise: a few queries per 500 trials. This is
the hot path of the whole-table request, so it avoids per-value objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trialbook.store.core.encoding import parameter_value
from trialbook.store.core.records import ExperimentRecord, ParameterValue
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.summaries import ACCUMULATORS, stats
from trialbook.store.core.transaction import Transaction, chunks
from trialbook.store.core.vocabulary import objective_stat

#: Provenance fields a row leaves out: the table shows where a trial came from (notebook,
#: cell, host, git, pid); ``GET components/{name}`` has the whole record.
ROW_PROVENANCE_OMITS = (
    "packages",
    "cell_source",
    "argv",
    "python_executable",
    "captured_at",
    "trialbook",
    "python",
    "cwd",
)


def trial_metric_keys(
    components: Sequence[tuple[str, str | None, float, Sequence[str]]],
) -> dict[str, tuple[str, str]]:
    """Column keys of a trial's metrics → (component name, metric name).

    ``components`` are the trial's own (unshared) components as
    ``(name, display_name, started, metric_names)``. A metric logged by one component keeps its
    name; a clash between components becomes ``"<display_name>/<metric>"`` (the component name
    when display names clash too).
    """
    owners: dict[str, list[tuple[str, str | None]]] = {}
    for name, display_name, _, metrics in sorted(components, key=lambda c: c[2]):
        for metric in metrics:
            owners.setdefault(metric, []).append((name, display_name))
    keys: dict[str, tuple[str, str]] = {}
    for metric, holders in owners.items():
        if len(holders) == 1:
            keys[metric] = (holders[0][0], metric)
            continue
        labels = [display or name for name, display in holders]
        for (name, _display), label in zip(holders, labels, strict=False):
            prefix = label if labels.count(label) == 1 else name
            keys[f"{prefix}/{metric}"] = (name, metric)
    return keys


def merged_parameters(components: Sequence[dict[str, Any]]) -> dict[str, ParameterValue]:
    """Parameters of a trial's components; a name with different values in several components
    becomes ``<display_name>/<name>``."""
    seen: dict[str, list[tuple[str, ParameterValue]]] = {}
    for component in components:
        label = component["display_name"] or component["name"]
        for name, value in component["parameters"].items():
            seen.setdefault(name, []).append((label, value))
    merged: dict[str, ParameterValue] = {}
    for name, values in seen.items():
        distinct = {(type(value), value if value == value else "nan") for _, value in values}
        if len(distinct) == 1:
            merged[name] = values[0][1]
        else:
            for label, value in values:
                merged[f"{label}/{name}"] = value
    return merged


def experiment_trial_rows(
    tx: Transaction,
    experiment: ExperimentRecord,
    experiment_id: int,
    *,
    parameters: bool = True,
    provenance: bool = True,
) -> list[dict[str, Any]]:
    """The rows of every trial of an experiment, oldest first (see ``trial_rows``)."""
    ids = [
        row[0]
        for row in tx.execute(
            "SELECT id FROM trials WHERE experiment_id = ? ORDER BY id", (experiment_id,)
        )
    ]
    return trial_rows(tx, experiment, ids, parameters=parameters, provenance=provenance)


def trial_rows(
    tx: Transaction,
    experiment: ExperimentRecord,
    trial_ids: Sequence[int],
    *,
    parameters: bool = True,
    provenance: bool = True,
) -> list[dict[str, Any]]:
    """Rows of these trials of ``experiment``, in this order; without ``parameters`` or
    ``provenance`` those are not read (left {} and None)."""
    rows: dict[int, dict[str, Any]] = {}
    members: dict[int, list[dict[str, Any]]] = {}
    components: dict[int, dict[str, Any]] = {}
    for chunk in chunks(trial_ids):
        _read_trials(tx, experiment, chunk, rows, members, components)
    for chunk in chunks(list(components)):
        if parameters:
            _read_parameters(tx, chunk, components)
        _read_metrics(tx, chunk, components)
    provenance_of = _latest_provenance(tx, members) if provenance else {}
    objective = objective_stat(experiment.objective)
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
            trial_parameters = dict(with_parameters[0]["parameters"])
        else:
            trial_parameters = merged_parameters(ordered)
        objective_value = None
        if objective is not None:
            holders = [c for c in own if objective[0] in c["metrics"]]
            if holders:
                latest = max(holders, key=lambda c: c["started"])
                objective_value = latest["metrics"][objective[0]][objective[1]]
        row["start_time"] = min((c["start_time"] for c in ordered if c["start_time"]), default=None)
        row["end_time"] = max((c["end_time"] for c in ordered if c["end_time"]), default=None)
        row["components"] = [c["name"] for c in ordered]
        row["parameters"] = trial_parameters
        row["metrics"] = metrics
        row["objective_value"] = objective_value
        row["provenance"] = provenance_of.get(trial_id)
        result.append(row)
    return result


def _read_trials(
    tx: Transaction,
    experiment: ExperimentRecord,
    chunk: Sequence[int],
    rows: dict[int, dict[str, Any]],
    members: dict[int, list[dict[str, Any]]],
    components: dict[int, dict[str, Any]],
) -> None:
    trial_in_page, page_ids = tx.dialect.in_ids("t.id", chunk)
    member_in_page, _ = tx.dialect.in_ids("tc.trial_id", chunk)
    status, status_parameters = trial_status_sql(tx.now)
    loads = json.loads
    for trial_id, name, variables, tags, notes, created, activity, trial_status in tx.execute(
        "SELECT t.id, t.name, t.variables, t.tags, t.notes, t.creation_time, t.last_activity,"
        f" {status} FROM trials t WHERE {trial_in_page}",
        (*status_parameters, *page_ids),
    ):
        rows[trial_id] = {
            "name": name,
            "experiment_name": experiment.name,
            "variables": None if variables is None else loads(variables),
            "tags": {} if tags is None or tags == "{}" else loads(tags),
            "notes": notes,
            "creation_time": created,
            "last_activity": activity,
            "status": trial_status,
        }
        members[trial_id] = []
    for row in tx.execute(
        "SELECT tc.trial_id, c.id, c.name, c.display_name, c.start_time, c.end_time,"
        " c.creation_time, CASE WHEN c.provenance IS NULL THEN 0 ELSE 1 END,"
        " (SELECT count(*) FROM trial_components x WHERE x.component_id = c.id)"
        " FROM trial_components tc JOIN components c ON c.id = tc.component_id"
        f" WHERE {member_in_page} ORDER BY c.id",
        page_ids,
    ):
        component = components.get(row[1])
        if component is None:
            component = components[row[1]] = {
                "id": row[1],
                "name": row[2],
                "display_name": row[3],
                "start_time": row[4],
                "end_time": row[5],
                "started": row[4] or row[6],
                "has_provenance": bool(row[7]),
                "shared": row[8] > 1,
                "parameters": {},
                "metrics": {},
            }
        members[row[0]].append(component)


def _read_parameters(
    tx: Transaction, chunk: Sequence[int], components: dict[int, dict[str, Any]]
) -> None:
    in_page, parameters = tx.dialect.in_ids("component_id", chunk)
    current, target = None, {}
    for component_id, name, kind, value in tx.execute(
        "SELECT component_id, name, type, value FROM parameters"
        f" WHERE {in_page} ORDER BY component_id, {tx.dialect.parameter_order}",
        parameters,
    ):
        if component_id != current:
            current, target = component_id, components[component_id]["parameters"]
        target[name] = parameter_value(kind, value)


def _read_metrics(
    tx: Transaction, chunk: Sequence[int], components: dict[int, dict[str, Any]]
) -> None:
    in_page, parameters = tx.dialect.in_ids("component_id", chunk)
    current, target = None, {}
    for row in tx.execute(
        f"SELECT component_id, name, {ACCUMULATORS} FROM metric_series"
        f" WHERE {in_page} ORDER BY component_id, id",
        parameters,
    ):
        if row[0] != current:
            current, target = row[0], components[row[0]]["metrics"]
        target[row[1]] = stats(row[2:])


def _latest_provenance(tx: Transaction, members: dict[int, list[dict[str, Any]]]) -> dict[int, Any]:
    """trial id → provenance of its latest component that has one (ROW_PROVENANCE_OMITS out)."""
    latest: dict[int, int] = {}
    for trial_id, components in members.items():
        candidates = [c for c in components if c["has_provenance"]]
        if candidates:
            latest[trial_id] = max(candidates, key=lambda c: (c["started"], c["id"]))["id"]
    texts: dict[int, Any] = {}
    trimmed = tx.dialect.json_without("c.provenance", ROW_PROVENANCE_OMITS)
    for chunk in chunks(sorted(set(latest.values()))):
        in_page, parameters = tx.dialect.in_ids("c.id", chunk)
        texts.update(
            tx.execute(f"SELECT c.id, {trimmed} FROM components c WHERE {in_page}", parameters)
        )
    parsed = {component_id: json.loads(text) for component_id, text in texts.items()}
    return {trial_id: parsed.get(component_id) for trial_id, component_id in latest.items()}
