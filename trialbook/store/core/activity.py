"""Where a component belongs (its trials and their experiments) and how its activity
propagates: a write to a component is also activity of its trials and experiments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trialbook.store.core.transaction import Statement, Transaction, chunks, marks


def memberships(
    tx: Transaction, component_ids: Sequence[int]
) -> dict[int, tuple[list[str], list[str]]]:
    """component id → (trial names, experiment names)."""
    result: dict[int, tuple[list[str], list[str]]] = {cid: ([], []) for cid in component_ids}
    for chunk in chunks(list(component_ids)):
        rows = tx.execute(
            "SELECT tc.component_id, t.name, e.name FROM trial_components tc"
            " JOIN trials t ON t.id = tc.trial_id JOIN experiments e ON e.id = t.experiment_id"
            f" WHERE tc.component_id IN ({marks(len(chunk))}) ORDER BY t.id",
            tuple(chunk),
        )
        for component_id, trial_name, experiment_name in rows:
            trials, experiments = result[component_id]
            trials.append(trial_name)
            if experiment_name not in experiments:
                experiments.append(experiment_name)
    return result


def touch_components(tx: Transaction, component_ids: Sequence[int]) -> None:
    """Propagate last_activity from components to their trials and experiments (once per
    component and transaction: every write of one transaction has the same time)."""
    tx.execute_all(touch_statements(tx, component_ids))


def touch_statements(tx: Transaction, component_ids: Sequence[int]) -> list[Statement]:
    """The statements of ``touch_components``, for a caller that runs them along with its
    own (``Transaction.execute_all``: one round trip where the backend pipelines)."""
    fresh = [cid for cid in dict.fromkeys(component_ids) if cid not in tx.touched]
    tx.touched.update(fresh)
    statements: list[Statement] = []
    for chunk in chunks(fresh):
        in_list = marks(len(chunk))
        parameters = [(tx.now, *chunk)]
        statements += [
            (f"UPDATE components SET last_activity = ? WHERE id IN ({in_list})", parameters),
            (
                "UPDATE trials SET last_activity = ? WHERE id IN (SELECT trial_id FROM"
                f" trial_components WHERE component_id IN ({in_list}))",
                parameters,
            ),
            (
                "UPDATE experiments SET last_activity = ? WHERE id IN (SELECT t.experiment_id"
                " FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
                f" WHERE tc.component_id IN ({in_list}))",
                parameters,
            ),
        ]
    return statements


def component_event(
    tx: Transaction, component_id: int, name: str, kind: str, payload: dict[str, Any]
) -> None:
    """Record a change of a component (with its trials and experiments) and its activity."""
    trials, experiments = memberships(tx, [component_id])[component_id]
    payload = {**payload, "trials": trials, "experiments": experiments}
    tx.record_change(kind, "component", name, experiments[0] if experiments else None, payload)
    touch_components(tx, [component_id])
