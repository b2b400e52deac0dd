"""Per-experiment trial counts and status tallies, kept current at write time.

Each trial keeps its stored status (``trials.stored_status``, see ``statuses.py``) and each
experiment counts its trials (``trial_count``) and its trials per stored status
(``trials_in_progress`` …). Every write that can change a trial's stored status (a
component's status or start time, a component joining or leaving a trial, a deletion) calls
``refresh`` in the same transaction. Listing experiments then reads the tallies and derives
the Interrupted part from the trials stored InProgress alone (an indexed, bounded query).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from trialbook.status import ALL_STATUSES, TrialStatus, experiment_status
from trialbook.store.core.statuses import stored_trial_status_sql, trial_status_sql
from trialbook.store.core.transaction import Transaction, chunks, marks

#: The experiments' column counting the trials stored with each status.
TALLY_COLUMNS = {
    TrialStatus.IN_PROGRESS.value: "trials_in_progress",
    TrialStatus.COMPLETED.value: "trials_completed",
    TrialStatus.FAILED.value: "trials_failed",
    TrialStatus.STOPPED.value: "trials_stopped",
}
_IN_PROGRESS = TrialStatus.IN_PROGRESS.value


def trial_added(tx: Transaction, experiment_id: int) -> None:
    tx.execute(
        "UPDATE experiments SET trial_count = trial_count + 1 WHERE id = ?", (experiment_id,)
    )


def new_running_trial(tx: Transaction, experiment_id: int, *, counted: bool = False) -> None:
    """A trial now runs its first attempt: one more InProgress (and one more trial, unless
    it was ``counted`` already) in its experiment, active now."""
    tx.execute(
        "UPDATE experiments SET trial_count = trial_count + ?,"
        " trials_in_progress = trials_in_progress + 1, last_activity = ? WHERE id = ?",
        (0 if counted else 1, tx.now, experiment_id),
    )


def trials_removed(tx: Transaction, trial_ids: Sequence[int]) -> None:
    """Take trials about to be deleted out of their experiments' tallies."""
    removed: Counter[tuple[int, str | None]] = Counter()
    for chunk in chunks(list(trial_ids)):
        removed.update(
            tx.execute(
                "SELECT experiment_id, stored_status FROM trials"
                f" WHERE id IN ({marks(len(chunk))})",
                tuple(chunk),
            ).fetchall()
        )
    for (experiment_id, status), count in removed.items():
        _add(tx, experiment_id, status, -count, trials=-count)


def trials_of_components(tx: Transaction, component_ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for chunk in chunks(list(component_ids)):
        found.extend(
            row[0]
            for row in tx.execute(
                "SELECT DISTINCT trial_id FROM trial_components"
                f" WHERE component_id IN ({marks(len(chunk))})",
                tuple(chunk),
            )
        )
    return found


def refresh(tx: Transaction, trial_ids: Sequence[int]) -> None:
    """Recompute the stored status of these trials and move them between tallies."""
    for chunk in chunks(sorted(set(trial_ids))):
        _refresh(tx, f"t.id IN ({marks(len(chunk))})", chunk)


def refresh_of_components(tx: Transaction, component_ids: Sequence[int]) -> None:
    """``refresh`` the trials these components belong to."""
    for chunk in chunks(list(component_ids)):
        _refresh(
            tx,
            "t.id IN (SELECT trial_id FROM trial_components"
            f" WHERE component_id IN ({marks(len(chunk))}))",
            chunk,
        )


def _refresh(tx: Transaction, where: str, parameters: Sequence[Any]) -> None:
    status = stored_trial_status_sql("t")
    changed = [
        row
        for row in tx.execute(
            f"SELECT t.id, t.experiment_id, t.stored_status, {status} FROM trials t WHERE {where}",
            tuple(parameters),
        ).fetchall()
        if row[2] != row[3]
    ]
    for trial_id, experiment_id, old, new in changed:
        tx.execute("UPDATE trials SET stored_status = ? WHERE id = ?", (new, trial_id))
        _move(tx, experiment_id, old, new)


def _move(tx: Transaction, experiment_id: int, old: str | None, new: str | None) -> None:
    """One trial of an experiment moves from the ``old`` stored status to ``new``."""
    moves = [(TALLY_COLUMNS.get(old or ""), -1), (TALLY_COLUMNS.get(new or ""), 1)]
    assignments = [f"{column} = {column} + {delta}" for column, delta in moves if column]
    if assignments:
        tx.execute(
            f"UPDATE experiments SET {', '.join(assignments)} WHERE id = ?", (experiment_id,)
        )


def _add(
    tx: Transaction, experiment_id: int, status: str | None, delta: int, trials: int = 0
) -> None:
    column = TALLY_COLUMNS.get(status or "")
    assignments = [f"{column} = {column} + ?"] if column else []
    parameters: list[Any] = [delta] if column else []
    if trials:
        assignments.append("trial_count = trial_count + ?")
        parameters.append(trials)
    if assignments:
        tx.execute(
            f"UPDATE experiments SET {', '.join(assignments)} WHERE id = ?",
            (*parameters, experiment_id),
        )


def experiment_tallies(
    tx: Transaction, experiment_ids: Sequence[int]
) -> dict[int, tuple[int, dict[str, int], str | None]]:
    """experiment id → (trial count, derived status counts, experiment status).

    The tallies count stored statuses; of the trials stored InProgress (the running ones,
    found by an index) the derived status is read, so a stale one counts as Interrupted.
    The experiment's status is InProgress while a trial is, else the status of the most
    recently active trial: among the running ones and the latest of the others."""
    wanted = set(experiment_ids)
    tallies = {
        experiment_id: (trial_count, dict(zip(TALLY_COLUMNS, counts, strict=True)))
        for experiment_id, trial_count, *counts in tx.execute(
            f"SELECT id, trial_count, {', '.join(TALLY_COLUMNS.values())} FROM experiments"
        )
        if experiment_id in wanted
    }
    running: dict[int, list[tuple[float, int, str]]] = {}
    derived, parameters = trial_status_sql(tx.now)
    for experiment_id, trial_id, activity, status in tx.execute(
        f"SELECT t.experiment_id, t.id, t.last_activity, {derived} FROM trials t"
        f" WHERE t.stored_status = '{_IN_PROGRESS}'",
        parameters,
    ):
        running.setdefault(experiment_id, []).append((activity, trial_id, status))
    latest: dict[int, tuple[float, int, str]] = {}
    for experiment_id, trial_id, activity, status in tx.execute(
        "SELECT x.experiment_id, t.id, t.last_activity, t.stored_status FROM (SELECT e.id AS"
        " experiment_id, (SELECT l.id FROM trials l WHERE l.experiment_id = e.id AND"
        f" l.stored_status IS NOT NULL AND l.stored_status <> '{_IN_PROGRESS}'"
        " ORDER BY l.last_activity DESC, l.id DESC LIMIT 1) AS trial_id FROM experiments e) x"
        " JOIN trials t ON t.id = x.trial_id"
    ):
        latest[experiment_id] = (activity, trial_id, status)
    result = {}
    for experiment_id, (trial_count, stored) in tallies.items():
        counts = dict.fromkeys(ALL_STATUSES, 0)
        counts.update(stored)
        candidates = list(running.get(experiment_id, []))
        for _, _, status in candidates:
            if status != _IN_PROGRESS:
                counts[_IN_PROGRESS] -= 1
                counts[status] += 1
        if experiment_id in latest:
            candidates.append(latest[experiment_id])
        candidates.sort()
        status = experiment_status((status, activity) for activity, _, status in candidates)
        result[experiment_id] = (trial_count, counts, status)
    return result
