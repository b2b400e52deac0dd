"""Trials: records (with their derived status), writes, and the variable-set identity rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.store.core import column_catalogue, deletion, entities, tallies
from trialbook.store.core.encoding import dumps, dumps_or_none, loads
from trialbook.store.core.records import TrialRecord
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.transaction import Transaction


def records(tx: Transaction, where: str, parameters: Sequence[Any]) -> list[TrialRecord]:
    """Trials matching ``where`` (over trials ``t``), oldest first."""
    status, status_parameters = trial_status_sql(tx.now)
    rows = tx.execute(
        "SELECT t.name, e.name, t.variables, t.identity, t.tags, t.notes, t.creation_time,"
        f" t.last_modified_time, t.last_activity, {status} FROM trials t"
        f" JOIN experiments e ON e.id = t.experiment_id {where} ORDER BY t.id",
        (*status_parameters, *parameters),
    )
    return [
        TrialRecord(
            name=row[0],
            experiment_name=row[1],
            variables=loads(row[2]),
            identity=row[3],
            tags=loads(row[4]) or {},
            notes=row[5],
            creation_time=row[6],
            last_modified_time=row[7],
            last_activity=row[8],
            status=row[9],
        )
        for row in rows
    ]


def by_name(tx: Transaction, name: str) -> TrialRecord:
    found = records(tx, "WHERE t.name = ?", (name,))
    if not found:
        raise entities.not_found(tx, "trials", name)
    return found[0]


def find(tx: Transaction, experiment_id: int, identity: str) -> TrialRecord | None:
    """The trial of an experiment with this variable-set identity."""
    found = records(tx, "WHERE t.experiment_id = ? AND t.identity = ?", (experiment_id, identity))
    return found[0] if found else None


def create(
    tx: Transaction,
    name: str,
    *,
    experiment_name: str,
    variables: dict[str, Any] | None,
    identity: str | None,
    tags: Mapping[str, str],
) -> TrialRecord:
    experiment_id = entities.entity_id(tx, "experiments", experiment_name)
    created = tx.scalar(
        "INSERT INTO trials (name, experiment_id, variables, identity, tags, notes,"
        " creation_time, last_modified_time, last_activity)"
        " VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        (
            name,
            experiment_id,
            dumps_or_none(variables),
            identity,
            dumps(dict(tags)),
            tx.now,
            tx.now,
            tx.now,
        ),
    )
    if created is None:  # the name or the variable set is taken (perhaps concurrently)
        existing = find(tx, experiment_id, identity) if identity is not None else None
        if existing is not None:
            raise entities.duplicate_variables(experiment_name, existing)
        raise entities.trial_exists(name, by_name(tx, name))
    tx.execute("UPDATE experiments SET last_activity = ? WHERE id = ?", (tx.now, experiment_id))
    tallies.trial_added(tx, experiment_id)
    column_catalogue.trial_added(tx, experiment_id, int(created), variables)
    tx.record_change("trial.created", "trial", name, experiment_name, {"variables": variables})
    return by_name(tx, name)


def listed(
    tx: Transaction, experiment_name: str | None, component_name: str | None
) -> list[TrialRecord]:
    clauses, parameters = [], []
    if experiment_name is not None:
        clauses.append("t.experiment_id = ?")
        parameters.append(entities.entity_id(tx, "experiments", experiment_name))
    if component_name is not None:
        clauses.append("t.id IN (SELECT trial_id FROM trial_components WHERE component_id = ?)")
        parameters.append(entities.entity_id(tx, "components", component_name))
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return records(tx, where, parameters)


def update(tx: Transaction, name: str, fields: Mapping[str, Any]) -> TrialRecord:
    columns = entities.checked_fields(fields, entities.TRIAL_FIELDS)
    trial = by_name(tx, name)
    if columns:
        assignments = ", ".join(f"{key} = ?" for key in columns)
        tx.execute(
            f"UPDATE trials SET {assignments}, last_modified_time = ?, last_activity = ?"
            " WHERE name = ?",
            (*columns.values(), tx.now, tx.now, name),
        )
        tx.record_change(
            "trial.updated", "trial", name, trial.experiment_name, {"fields": sorted(fields)}
        )
    return by_name(tx, name)


def delete(tx: Transaction, name: str, *, force: bool) -> list[str]:
    """Delete a trial (with ``force``, its exclusive components); artifact paths to check."""
    trial = by_name(tx, name)
    trial_id = entities.entity_id(tx, "trials", name)
    count = tx.scalar("SELECT count(*) FROM trial_components WHERE trial_id = ?", (trial_id,))
    if count and not force:
        raise entities.refuse_trial_delete(name, count)
    return deletion.delete_trials(tx, [trial_id], trial.experiment_name)
