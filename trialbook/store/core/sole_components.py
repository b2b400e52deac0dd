"""Each trial's sole component: the id of its only component when that component is in no
other trial (``trials.sole_component``), else NULL.

Almost every trial is one ``exp.run`` attempt, so almost every trial has one. Its parameters
and metric summaries are then that component's, one covering-index probe away
(``trial_values.py``), where the general rule (the latest of the trial's own components
that has the value) walks its components. A NULL only sends a trial down the general rule,
so only a wrong id would be wrong: every write that links or unlinks a component calls
``refresh`` for the trials on both sides, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from trialbook.store.core.transaction import Transaction, chunks, marks

#: The sole component of the trial in ``trials`` (a correlated subquery), or NULL; the
#: schemas' migrations backfill the column with it.
SOLE_COMPONENT = (
    "(SELECT tc.component_id FROM trial_components tc WHERE tc.trial_id = trials.id"
    " AND NOT EXISTS (SELECT 1 FROM trial_components y"
    " WHERE y.trial_id = tc.trial_id AND y.component_id <> tc.component_id)"
    " AND NOT EXISTS (SELECT 1 FROM trial_components x"
    " WHERE x.component_id = tc.component_id AND x.trial_id <> tc.trial_id))"
)


def refresh(tx: Transaction, trial_ids: Sequence[int]) -> None:
    """Recompute the sole component of these trials."""
    for chunk in chunks(sorted(set(trial_ids))):
        tx.execute(
            f"UPDATE trials SET sole_component = {SOLE_COMPONENT}"
            f" WHERE id IN ({marks(len(chunk))})",
            tuple(chunk),
        )


def trials_of(tx: Transaction, component_id: int) -> list[int]:
    """The trials a component is in."""
    return [
        row[0]
        for row in tx.execute(
            "SELECT trial_id FROM trial_components WHERE component_id = ?", (component_id,)
        )
    ]
