"""Trial components: records (parameters, artifacts, summaries, trials), writes, membership."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.status import TrialStatus
from trialbook.store.core import column_catalogue, deletion, entities, sole_components, tallies
from trialbook.store.core.activity import component_event, memberships, touch_components
from trialbook.store.core.column_catalogue import PARAMETER
from trialbook.store.core.encoding import (
    dumps,
    dumps_or_none,
    loads,
    parameter_row,
    parameter_value,
)
from trialbook.store.core.records import ArtifactRecord, ComponentRecord, ParameterValue
from trialbook.store.core.statuses import component_status_sql
from trialbook.store.core.summaries import summaries
from trialbook.store.core.transaction import Transaction, chunks, marks

_IN_PROGRESS = TrialStatus.IN_PROGRESS.value


def records(tx: Transaction, where: str, parameters: Sequence[Any]) -> list[ComponentRecord]:
    """Components matching ``where`` (over components ``c``), oldest first, full records."""
    status, status_parameters = component_status_sql(tx.now)
    found: dict[int, ComponentRecord] = {}
    for row in tx.execute(
        f"SELECT c.id, c.name, c.display_name, c.kind, {status}, c.status_message, c.start_time,"
        " c.end_time, c.creation_time, c.last_modified_time, c.last_activity, c.heartbeat_time,"
        f" c.tags, c.notes, c.provenance FROM components c {where} ORDER BY c.id",
        (*status_parameters, *parameters),
    ):
        found[row[0]] = ComponentRecord(
            name=row[1],
            display_name=row[2],
            kind=row[3],
            status=row[4],
            status_message=row[5],
            start_time=row[6],
            end_time=row[7],
            creation_time=row[8],
            last_modified_time=row[9],
            last_activity=row[10],
            heartbeat_time=row[11],
            tags=loads(row[12]) or {},
            notes=row[13],
            provenance=loads(row[14]),
        )
    for chunk in chunks(list(found)):
        in_list, values = marks(len(chunk)), tuple(chunk)
        for component_id, name, kind, value in tx.execute(
            "SELECT component_id, name, type, value FROM parameters WHERE component_id"
            f" IN ({in_list}) ORDER BY component_id, {tx.dialect.parameter_order}",
            values,
        ):
            found[component_id].parameters[name] = parameter_value(kind, value)
        for row in tx.execute(
            "SELECT a.id, a.component_id, a.direction, a.name, a.value, a.media_type, a.sha256,"
            " a.size, a.path, a.creation_time FROM artifacts a"
            f" WHERE a.component_id IN ({in_list}) ORDER BY a.id",
            values,
        ):
            owner = found[row[1]]
            artifact = ArtifactRecord(row[0], owner.name, *row[2:])
            target = owner.input_artifacts if row[2] == "input" else owner.output_artifacts
            target[row[3]] = artifact
        for component_id, summary in summaries(tx, chunk):
            found[component_id].metrics[summary.metric] = summary
        for component_id, trial_name in tx.execute(
            "SELECT tc.component_id, t.name FROM trial_components tc JOIN trials t"
            f" ON t.id = tc.trial_id WHERE tc.component_id IN ({in_list}) ORDER BY t.id",
            values,
        ):
            found[component_id].trial_names.append(trial_name)
    return list(found.values())


def by_name(tx: Transaction, name: str) -> ComponentRecord:
    found = records(tx, "WHERE c.name = ?", (name,))
    if not found:
        raise entities.not_found(tx, "components", name)
    return found[0]


def create(
    tx: Transaction,
    name: str,
    *,
    display_name: str | None,
    kind: str | None,
    tags: Mapping[str, str],
    provenance: dict[str, Any] | None,
    status: str | None,
    start_time: float | None,
) -> ComponentRecord:
    heartbeat = tx.now if status == _IN_PROGRESS else None
    created = tx.scalar(
        "INSERT INTO components (name, display_name, kind, status, start_time,"
        " creation_time, last_modified_time, last_activity, heartbeat_time, tags,"
        " provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
        " RETURNING id",
        (
            name,
            display_name,
            kind,
            status,
            start_time,
            tx.now,
            tx.now,
            tx.now,
            heartbeat,
            dumps(dict(tags)),
            dumps_or_none(provenance),
        ),
    )
    if created is None:  # the name is taken (perhaps by a concurrent writer)
        raise entities.component_exists(name, by_name(tx, name))
    tx.record_change("component.created", "component", name, None, {"kind": kind, "status": status})
    return by_name(tx, name)


def listed(
    tx: Transaction, trial_name: str | None, experiment_name: str | None, unassigned: bool
) -> list[ComponentRecord]:
    clauses, parameters = [], []
    if trial_name is not None:
        clauses.append("c.id IN (SELECT component_id FROM trial_components WHERE trial_id = ?)")
        parameters.append(entities.entity_id(tx, "trials", trial_name))
    if experiment_name is not None:
        clauses.append(
            "c.id IN (SELECT tc.component_id FROM trial_components tc JOIN trials t"
            " ON t.id = tc.trial_id WHERE t.experiment_id = ?)"
        )
        parameters.append(entities.entity_id(tx, "experiments", experiment_name))
    if unassigned:
        clauses.append("c.id NOT IN (SELECT component_id FROM trial_components)")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return records(tx, where, parameters)


def update(tx: Transaction, name: str, fields: Mapping[str, Any]) -> ComponentRecord:
    change(tx, name, fields)
    return by_name(tx, name)


def change(tx: Transaction, name: str, fields: Mapping[str, Any]) -> None:
    """Change a component's fields (its status moves its trials' tallies)."""
    columns = entities.checked_fields(fields, entities.COMPONENT_FIELDS)
    component_id = entities.entity_id(tx, "components", name)
    if columns:
        if columns.get("status") == _IN_PROGRESS:
            columns["heartbeat_time"] = tx.now
        assignments = ", ".join(f"{key} = ?" for key in columns)
        tx.execute(
            f"UPDATE components SET {assignments}, last_modified_time = ? WHERE id = ?",
            (*columns.values(), tx.now, component_id),
        )
        if "status" in columns or "start_time" in columns:
            tallies.refresh_of_components(tx, [component_id])
        kind = "component.status" if "status" in fields else "component.updated"
        payload: dict[str, Any] = {"fields": sorted(fields)}
        if "status" in fields:
            payload["status"] = fields["status"]
        component_event(tx, component_id, name, kind, payload)


def delete(tx: Transaction, name: str, *, force_disassociate: bool) -> list[str]:
    """Delete a component (refused while in a trial); artifact paths to check."""
    component_id = entities.entity_id(tx, "components", name)
    trials, experiments = memberships(tx, [component_id])[component_id]
    if trials and not force_disassociate:
        raise entities.refuse_component_delete(name, trials)
    trial_ids = tallies.trials_of_components(tx, [component_id])
    catalogued = column_catalogue.snapshot(tx, [component_id])
    tx.execute("DELETE FROM trial_components WHERE component_id = ?", (component_id,))
    tallies.refresh(tx, trial_ids)
    sole_components.refresh(tx, trial_ids)
    paths = deletion.delete_components(tx, [component_id], experiments[0] if experiments else None)
    column_catalogue.apply(tx, catalogued)
    return paths


def associate(tx: Transaction, trial_name: str, component_name: str) -> None:
    experiment_name = _experiment_of_trial(tx, trial_name)
    trial_id = entities.entity_id(tx, "trials", trial_name)
    component_id = entities.entity_id(tx, "components", component_name)
    catalogued = column_catalogue.snapshot(tx, [component_id])
    cursor = tx.execute(
        "INSERT INTO trial_components (trial_id, component_id, added_time) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (trial_id, component_id, tx.now),
    )
    if cursor.rowcount:
        tx.record_change(
            "trial.component_added",
            "trial",
            trial_name,
            experiment_name,
            {"component": component_name},
        )
        tallies.refresh(tx, [trial_id])
        sole_components.refresh(tx, sole_components.trials_of(tx, component_id))
        column_catalogue.apply(tx, catalogued)
        tx.touched.discard(component_id)  # it has a new trial to propagate to
        touch_components(tx, [component_id])


def disassociate(tx: Transaction, trial_name: str, component_name: str) -> None:
    experiment_name = _experiment_of_trial(tx, trial_name)
    trial_id = entities.entity_id(tx, "trials", trial_name)
    component_id = entities.entity_id(tx, "components", component_name)
    catalogued = column_catalogue.snapshot(tx, [component_id])
    cursor = tx.execute(
        "DELETE FROM trial_components WHERE trial_id = ? AND component_id = ?",
        (trial_id, component_id),
    )
    if cursor.rowcount:
        tx.record_change(
            "trial.component_removed",
            "trial",
            trial_name,
            experiment_name,
            {"component": component_name},
        )
        tallies.refresh(tx, [trial_id])
        sole_components.refresh(tx, [trial_id, *sole_components.trials_of(tx, component_id)])
        column_catalogue.apply(tx, catalogued)
        tx.execute("UPDATE trials SET last_activity = ? WHERE id = ?", (tx.now, trial_id))
        tx.execute(
            "UPDATE experiments SET last_activity = ? WHERE name = ?", (tx.now, experiment_name)
        )


def set_parameters(
    tx: Transaction, component_name: str, parameters: Mapping[str, ParameterValue], replace: bool
) -> None:
    """Upsert parameters (re-logging overwrites); ``replace`` drops the others first."""
    component_id = entities.entity_id(tx, "components", component_name)
    catalogued = None
    if replace:
        catalogued = column_catalogue.snapshot(tx, [component_id], kinds=(PARAMETER,))
        tx.execute("DELETE FROM parameters WHERE component_id = ?", (component_id,))
        logged: set[str] = set()
    else:
        logged = _parameter_names(tx, component_id)
    tx.executemany(
        "INSERT INTO parameters (component_id, name, type, value) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (component_id, name) DO UPDATE SET type = excluded.type,"
        " value = excluded.value",
        [(component_id, name, *parameter_row(value)) for name, value in parameters.items()],
    )
    if catalogued is not None:
        column_catalogue.apply(tx, catalogued)
    else:
        column_catalogue.parameters_added(tx, component_id, set(parameters) - logged)
    component_event(
        tx, component_id, component_name, "parameters.logged", {"names": sorted(parameters)}
    )


def _parameter_names(tx: Transaction, component_id: int) -> set[str]:
    return {
        row[0]
        for row in tx.execute("SELECT name FROM parameters WHERE component_id = ?", (component_id,))
    }


def record_heartbeat(tx: Transaction, names: Sequence[str], when: float) -> None:
    """Refresh the heartbeat of these components while they are InProgress (no change row)."""
    for chunk in chunks(list(names)):
        tx.execute(
            f"UPDATE components SET heartbeat_time = ? WHERE name IN ({marks(len(chunk))})"
            " AND status = ?",
            (when, *chunk, _IN_PROGRESS),
        )


def _experiment_of_trial(tx: Transaction, trial_name: str) -> str:
    name = tx.scalar(
        "SELECT e.name FROM trials t JOIN experiments e ON e.id = t.experiment_id WHERE t.name = ?",
        (trial_name,),
    )
    if name is None:
        raise entities.not_found(tx, "trials", trial_name)
    return str(name)


def detail_with_trials(tx: Transaction, name: str) -> dict[str, Any]:
    """A component's record as a dict plus ``trials``: [{name, experiment_name}]."""
    detail = by_name(tx, name).to_dict()
    detail["trials"] = [
        {"name": trial_name, "experiment_name": experiment}
        for trial_name, experiment in tx.execute(
            "SELECT t.name, e.name FROM trial_components tc"
            " JOIN trials t ON t.id = tc.trial_id"
            " JOIN experiments e ON e.id = t.experiment_id JOIN components c"
            " ON c.id = tc.component_id WHERE c.name = ? ORDER BY t.id",
            (name,),
        )
    ]
    return detail
