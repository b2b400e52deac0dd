"""Experiments: records, writes and the summaries the sidebar lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.store.core import deletion, entities
from trialbook.store.core.encoding import dumps, dumps_or_none, loads
from trialbook.store.core.records import ExperimentRecord
from trialbook.store.core.tallies import experiment_tallies
from trialbook.store.core.transaction import Transaction, marks

COLUMNS = (
    "name, description, hypothesis, objective, variables, tags, notes, creation_time,"
    " last_modified_time, last_activity"
)


def record(row: Sequence[Any]) -> ExperimentRecord:
    """An ExperimentRecord from a row of COLUMNS."""
    return ExperimentRecord(
        name=row[0],
        description=row[1],
        hypothesis=row[2],
        objective=loads(row[3]),
        variables=loads(row[4]),
        tags=loads(row[5]) or {},
        notes=row[6],
        creation_time=row[7],
        last_modified_time=row[8],
        last_activity=row[9],
    )


def by_name(tx: Transaction, name: str) -> ExperimentRecord:
    row = tx.execute(f"SELECT {COLUMNS} FROM experiments WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise entities.not_found(tx, "experiments", name)
    return record(row)


def all_records(tx: Transaction) -> list[ExperimentRecord]:
    return [record(row) for row in tx.execute(f"SELECT {COLUMNS} FROM experiments ORDER BY id")]


def create(
    tx: Transaction,
    name: str,
    *,
    description: str | None,
    hypothesis: str | None,
    objective: dict[str, Any] | None,
    variables: dict[str, Any] | None,
    tags: Mapping[str, str],
) -> ExperimentRecord:
    created = tx.insert(
        "INSERT INTO experiments (name, description, hypothesis, objective, variables,"
        " tags, notes, creation_time, last_modified_time, last_activity)"
        " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            name,
            description,
            hypothesis,
            dumps_or_none(objective),
            dumps_or_none(variables),
            dumps(dict(tags)),
            tx.now,
            tx.now,
            tx.now,
        ),
    )
    if created is None:  # the name is taken (perhaps by a concurrent writer)
        raise entities.experiment_exists(name, by_name(tx, name))
    tx.record_change("experiment.created", "experiment", name, name)
    return by_name(tx, name)


def update(tx: Transaction, name: str, fields: Mapping[str, Any]) -> ExperimentRecord:
    columns = entities.checked_fields(fields, entities.EXPERIMENT_FIELDS)
    entities.entity_id(tx, "experiments", name)
    if columns:
        assignments = ", ".join(f"{key} = ?" for key in columns)
        tx.execute(
            f"UPDATE experiments SET {assignments}, last_modified_time = ?,"
            " last_activity = ? WHERE name = ?",
            (*columns.values(), tx.now, tx.now, name),
        )
        tx.record_change("experiment.updated", "experiment", name, name, {"fields": sorted(fields)})
    return by_name(tx, name)


def delete(tx: Transaction, name: str, *, force: bool) -> list[str]:
    """Delete an experiment (with ``force``, its trials too); artifact paths to check."""
    experiment_id = entities.entity_id(tx, "experiments", name)
    trial_ids = [
        row[0]
        for row in tx.execute("SELECT id FROM trials WHERE experiment_id = ?", (experiment_id,))
    ]
    if trial_ids and not force:
        raise entities.refuse_experiment_delete(name, len(trial_ids))
    paths = deletion.delete_trials(tx, trial_ids, name)
    tx.execute("DELETE FROM experiments WHERE id = ?", (experiment_id,))
    tx.record_change("deleted", "experiment", name, name, {"trials": len(trial_ids)})
    return paths


def summaries(tx: Transaction, names: Sequence[str] | None) -> list[dict[str, Any]]:
    """One dict per experiment: its record, trial_count, status_counts and status, from the
    tallies kept at write time (so the cost does not grow with the trials)."""
    wanted = "" if names is None else f" WHERE name IN ({marks(len(names))})"
    experiments = tx.execute(
        f"SELECT id, {COLUMNS} FROM experiments{wanted} ORDER BY id", tuple(names or ())
    ).fetchall()
    tallies = experiment_tallies(tx, [row[0] for row in experiments])
    result = []
    for row in experiments:
        summary = record(row[1:]).to_dict()
        trial_count, counts, status = tallies[row[0]]
        summary.pop("last_modified_time")
        summary["trial_count"] = trial_count
        summary["status_counts"] = counts
        summary["status"] = status
        result.append(summary)
    return result
