"""Closing a component in one transaction (a tracker's exit): its last metric points and its
closing fields.

The same rows, tallies, activity and change rows as ``points.append`` followed by
``components.change``, written with what the transaction learns on the way: the component
is updated by name and its id returned at once; its trials, their experiments and the
trials' new stored statuses come from one query after that update; each trial's stored
status and activity go in one UPDATE, and each experiment's tallies and activity in one.
A sweep closes each of its many short trials this way (about half the statements).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.status import TrialStatus
from trialbook.store.core import components, entities, points
from trialbook.store.core.records import MetricPoint, SeriesKey
from trialbook.store.core.statuses import stored_trial_status_sql
from trialbook.store.core.tallies import TALLY_COLUMNS
from trialbook.store.core.transaction import Transaction

_IN_PROGRESS = TrialStatus.IN_PROGRESS.value
#: The new stored status of trial ``t`` once component ``?`` has the stored status ``?``:
#: that status when it is the trial's sole component, else the rule over all of them.
_RESTATUS = f"CASE WHEN t.sole_component = ? THEN ? ELSE {stored_trial_status_sql('t')} END"


def finish(
    tx: Transaction,
    name: str,
    batches: Mapping[SeriesKey, Sequence[MetricPoint]],
    fields: Mapping[str, Any],
) -> None:
    """Append ``batches`` (any components') and change component ``name``'s ``fields``."""
    columns = entities.checked_fields(fields, entities.COMPONENT_FIELDS)
    if not columns:  # nothing to change: the points alone (and the component must exist)
        if batches:
            points.append(tx, batches)
        entities.entity_id(tx, "components", name)
        return
    if columns.get("status") == _IN_PROGRESS:
        columns["heartbeat_time"] = tx.now
    assignments = "".join(f"{column} = ?, " for column in columns)
    updated = tx.execute(
        f"UPDATE components SET {assignments}last_modified_time = ?, last_activity = ?"
        " WHERE name = ? RETURNING id, status",
        (*columns.values(), tx.now, tx.now, name),
    ).fetchall()  # read to its end before the next statement (as ``scalar``)
    if not updated:
        raise entities.not_found(tx, "components", name)
    component_id, status = updated[0]
    tx.touched.add(component_id)  # its trials and experiments are touched below
    stored, parameters = "t.stored_status", [component_id]
    if "status" in columns or "start_time" in columns:
        stored = _RESTATUS  # a run's attempt is its trial's sole component: no walk
        parameters = [component_id, status, component_id]
    trials = tx.execute(
        f"SELECT t.id, t.name, t.experiment_id, e.name, t.stored_status, {stored}"
        " FROM trial_components tc JOIN trials t ON t.id = tc.trial_id"
        " JOIN experiments e ON e.id = t.experiment_id WHERE tc.component_id = ? ORDER BY t.id",
        parameters,
    ).fetchall()
    trial_names = [row[1] for row in trials]
    experiment_names = list(dict.fromkeys(row[3] for row in trials))
    if batches:
        points.append(
            tx,
            batches,
            known_ids={name: component_id},
            belongs={component_id: (trial_names, experiment_names)},
        )
    moves: dict[int, dict[str, int]] = {}  # experiment id → tally column → change
    for trial_id, _, experiment_id, _, old, new in trials:
        moved = moves.setdefault(experiment_id, {})
        if old == new:
            tx.execute("UPDATE trials SET last_activity = ? WHERE id = ?", (tx.now, trial_id))
            continue
        tx.execute(
            "UPDATE trials SET stored_status = ?, last_activity = ? WHERE id = ?",
            (new, tx.now, trial_id),
        )
        for status, delta in ((old, -1), (new, 1)):
            column = TALLY_COLUMNS.get(status or "", "")
            moved[column] = moved.get(column, 0) + delta
    for experiment_id, moved in moves.items():
        tallies = "".join(
            f"{column} = {column} + {delta}, "
            for column, delta in moved.items()
            if column and delta
        )
        tx.execute(
            f"UPDATE experiments SET {tallies}last_activity = ? WHERE id = ?",
            (tx.now, experiment_id),
        )
    kind, payload = components.change_event(fields)
    payload.update(trials=trial_names, experiments=experiment_names)
    experiment = experiment_names[0] if experiment_names else None
    tx.record_change(kind, "component", name, experiment, payload)
