"""Starting a run of a trial (``exp.run``) in one transaction: find or create the trial of a
variable set, refuse it while it runs (or once Completed unless rerun), then create its next
training attempt, add it to the trial and log the variables as its parameters.

The same rules and change rows as the single-step writes (``trials.create``,
``components.create``, ``components.associate``, ``components.set_parameters``), written
with what this transaction already knows (ids, memberships, the new trial's status), so a
sweep of many short trials costs one transaction and about a dozen statements to start.
"""

from __future__ import annotations

from trialbook.status import TrialStatus
from trialbook.store.core import (
    attempts,
    column_catalogue,
    entities,
    sole_components,
    tallies,
    trials,
)
from trialbook.store.core.activity import touch_components
from trialbook.store.core.encoding import dumps_or_none, parameter_row
from trialbook.store.core.records import ComponentRecord, RunStart, TrialRecord
from trialbook.store.core.transaction import Transaction, chunks

_KIND = "training"
_IN_PROGRESS = TrialStatus.IN_PROGRESS.value


def start(
    tx: Transaction, experiment_name: str, run: RunStart
) -> tuple[TrialRecord, ComponentRecord | None]:
    """The trial and its new InProgress attempt; no attempt (None) when the trial is
    running, or Completed without ``run.rerun`` (the caller says why)."""
    experiment_id, trial_id, trial = _experiment_and_trial(tx, experiment_name, run.identity)
    new_trial = trial is None
    if trial is None:  # its attempt first, so the trial goes in with its status and component
        component_id, name, display = _new_attempt(tx, run.trial_name, 1, run)
        trial_id = _new_trial(tx, experiment_id, experiment_name, run, component_id)
        trial = _new_trial_record(tx, experiment_name, run)
    elif trial.status == TrialStatus.IN_PROGRESS.value or (
        trial.status == TrialStatus.COMPLETED.value and not run.rerun
    ):
        return trial, None
    else:
        attempts.free_stale(tx, trial_id)
        attempt = 1 + _attempts(tx, trial_id, f"{trial.name}-training")
        component_id, name, display = _new_attempt(tx, trial.name, attempt, run)
    tx.record_change(
        "component.created", "component", name, None, {"kind": _KIND, "status": _IN_PROGRESS}
    )
    attempts.claim(tx, trial_id, component_id)  # one running attempt a trial, by the database
    tx.execute(
        "INSERT INTO trial_components (trial_id, component_id, added_time) VALUES (?, ?, ?)",
        (trial_id, component_id, tx.now),
    )
    tx.record_change(
        "trial.component_added", "trial", trial.name, experiment_name, {"component": name}
    )
    if new_trial:
        tallies.new_running_trial(tx, experiment_id)
    elif trial.status is None:  # a trial without a status now runs this attempt
        tx.execute(
            "UPDATE trials SET stored_status = ?, last_activity = ? WHERE id = ?",
            (_IN_PROGRESS, tx.now, trial_id),
        )
        tallies.new_running_trial(tx, experiment_id, counted=True)
    else:
        tallies.refresh(tx, [trial_id])
        touch_components(tx, [component_id])
    if not new_trial:
        sole_components.refresh(tx, [trial_id])
    if run.parameters:
        rows = [(component_id, key, *parameter_row(value)) for key, value in run.parameters.items()]
        for chunk in chunks(rows):
            tx.execute(
                "INSERT INTO parameters (component_id, name, type, value) VALUES"
                + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
                [value for row in chunk for value in row],
            )
        tx.record_change(
            "parameters.logged",
            "component",
            name,
            experiment_name,
            {
                "names": sorted(run.parameters),
                "trials": [trial.name],
                "experiments": [experiment_name],
            },
        )
    # the parameters just inserted, and a new trial's variables
    column_catalogue.run_added(
        tx,
        experiment_id,
        trial_id if new_trial else None,
        run.variables,
        component_id if run.parameters else None,
    )
    trial.status = _IN_PROGRESS
    trial.last_activity = tx.now
    return trial, _attempt_record(name, display, trial.name, run, tx.now)


def _experiment_and_trial(
    tx: Transaction, experiment_name: str, identity: str | None
) -> tuple[int, int, TrialRecord | None]:
    """The experiment's id (NotFoundError if none) and the id and record of its trial of
    this variable set (0 and None when there is none yet)."""
    row = tx.execute(
        "SELECT e.id, t.id FROM experiments e LEFT JOIN trials t"
        " ON t.experiment_id = e.id AND t.identity = ? WHERE e.name = ?",
        (identity, experiment_name),
    ).fetchone()
    if row is None:
        raise entities.not_found(tx, "experiments", experiment_name)
    experiment_id, trial_id = row
    if trial_id is None:
        return int(experiment_id), 0, None
    return int(experiment_id), trial_id, trials.records(tx, "WHERE t.id = ?", (trial_id,))[0]


def _new_trial(
    tx: Transaction, experiment_id: int, experiment_name: str, run: RunStart, component_id: int
) -> int:
    """Insert the trial of a new variable set, running its one (sole) component (the
    database keeps the set unique); the caller counts it in its experiment's tallies."""
    trial_id = tx.insert(
        "INSERT INTO trials (name, experiment_id, variables, identity, tags, notes,"
        " creation_time, last_modified_time, last_activity, stored_status, sole_component)"
        " VALUES (?, ?, ?, ?, '{}', NULL, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (
            run.trial_name,
            experiment_id,
            dumps_or_none(run.variables),
            run.identity,
            tx.now,
            tx.now,
            tx.now,
            _IN_PROGRESS,
            component_id,
        ),
    )
    if trial_id is None:  # the name or the variable set is taken (perhaps concurrently)
        existing = trials.find(tx, experiment_id, run.identity) if run.identity else None
        if existing is not None:
            raise entities.duplicate_variables(experiment_name, existing)
        raise entities.trial_exists(run.trial_name, trials.by_name(tx, run.trial_name))
    tx.record_change(
        "trial.created", "trial", run.trial_name, experiment_name, {"variables": run.variables}
    )
    return int(trial_id)  # its variables' columns: column_catalogue.run_added


def _new_trial_record(tx: Transaction, experiment_name: str, run: RunStart) -> TrialRecord:
    return TrialRecord(
        name=run.trial_name,
        experiment_name=experiment_name,
        variables=run.variables,
        identity=run.identity,
        tags={},
        notes=None,
        creation_time=tx.now,
        last_modified_time=tx.now,
        last_activity=tx.now,
        status=None,
    )


def _attempts(tx: Transaction, trial_id: int, prefix: str) -> int:
    """How many training attempts the trial has had (their names start with ``prefix``)."""
    return int(
        tx.scalar(
            "SELECT count(*) FROM trial_components tc JOIN components c"
            " ON c.id = tc.component_id WHERE tc.trial_id = ? AND c.kind = ?"
            " AND substr(c.name, 1, ?) = ?",
            (trial_id, _KIND, len(prefix), prefix),
        )
        or 0
    )


def _new_attempt(
    tx: Transaction, trial_name: str, attempt: int, run: RunStart
) -> tuple[int, str, str]:
    """Insert the InProgress component of the first free attempt number from ``attempt``."""
    while True:
        suffix = "" if attempt == 1 else f"-{attempt}"
        name = f"{trial_name}-training{suffix}"[:120]
        display = "Training" if attempt == 1 else f"Training (attempt {attempt})"
        component_id = tx.insert(
            "INSERT INTO components (name, display_name, kind, status, start_time,"
            " creation_time, last_modified_time, last_activity, heartbeat_time, tags,"
            " provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?) ON CONFLICT DO NOTHING",
            (
                name,
                display,
                _KIND,
                _IN_PROGRESS,
                run.start_time,
                tx.now,
                tx.now,
                tx.now,
                tx.now,
                dumps_or_none(run.provenance),
            ),
        )
        if component_id is not None:
            return int(component_id), name, display
        attempt += 1  # that name is taken (an attempt that left this trial)


def _attempt_record(
    name: str, display: str, trial_name: str, run: RunStart, now: float
) -> ComponentRecord:
    record = ComponentRecord(
        name=name,
        display_name=display,
        kind=_KIND,
        status=_IN_PROGRESS,
        status_message=None,
        start_time=run.start_time,
        end_time=None,
        creation_time=now,
        last_modified_time=now,
        last_activity=now,
        heartbeat_time=now,
        tags={},
        notes=None,
        provenance=run.provenance,
    )
    record.parameters.update(run.parameters)
    record.trial_names.append(trial_name)
    return record
