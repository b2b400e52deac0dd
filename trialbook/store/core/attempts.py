"""A trial's training attempts: at most one runs at a time, and the database enforces it.

``trial_runs`` holds one row per trial: the attempt (component) that holds it. Starting an
attempt is one write transaction: free the trial from an attempt that no longer runs (not
InProgress, or its heartbeat older than ``settings.stale_seconds()``: the Interrupted rule of
``statuses.py``), create the component, then claim the trial with an insert that does nothing
on conflict. Two writers racing for a trial both reach that insert; the primary key lets one
in and the other gets no row back, so the check is never a read before the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialbook import settings
from trialbook.errors import AlreadyExistsError
from trialbook.status import TrialStatus
from trialbook.store.core import components, entities, trials
from trialbook.store.core.records import ComponentRecord
from trialbook.store.core.transaction import Transaction

_IN_PROGRESS = TrialStatus.IN_PROGRESS.value


def start(
    tx: Transaction,
    trial_name: str,
    component_name: str,
    *,
    display_name: str | None,
    kind: str | None,
    tags: Mapping[str, str],
    provenance: dict[str, Any] | None,
    start_time: float | None,
) -> ComponentRecord:
    """Create an InProgress component and make it the trial's running attempt; refused with
    AlreadyExistsError (``existing``: the TrialRecord) while another attempt runs."""
    trial_id = entities.entity_id(tx, "trials", trial_name)
    free_stale(tx, trial_id)
    components.create(
        tx,
        component_name,
        display_name=display_name,
        kind=kind,
        tags=tags,
        provenance=provenance,
        status=_IN_PROGRESS,
        start_time=start_time,
    )
    claim(tx, trial_id, entities.entity_id(tx, "components", component_name))
    components.associate(tx, trial_name, component_name)
    return components.by_name(tx, component_name)


def free_stale(tx: Transaction, trial_id: int) -> None:
    """Free the trial from an attempt that no longer runs (the Interrupted rule)."""
    tx.execute(
        "DELETE FROM trial_runs WHERE trial_id = ? AND component_id NOT IN (SELECT id FROM"
        " components WHERE status = ? AND heartbeat_time >= ?)",
        (trial_id, _IN_PROGRESS, tx.now - settings.stale_seconds()),
    )


def claim(tx: Transaction, trial_id: int, component_id: int) -> None:
    """Make the component the trial's running attempt; AlreadyExistsError (``existing``:
    the TrialRecord) while another attempt holds it."""
    claimed = tx.insert(
        "INSERT INTO trial_runs (trial_id, component_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (trial_id, component_id),
        key="trial_id",
    )
    if claimed is None:
        trial = trials.records(tx, "WHERE t.id = ?", (trial_id,))[0]
        raise AlreadyExistsError(
            f"Trial {trial.name!r} for {trial.variables} is running now (in this or another "
            "process). Wait for it, or use another variable set (e.g. add a 'seed' variable).",
            trial,
        )
