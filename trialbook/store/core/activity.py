"""Where a component belongs (its trials and their experiments) and how its activity
propagates: a write to a component is also activity of its trials and experiments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trialbook.store.core.transaction import Statement, Transaction, chunks, marks


def memberships(
    tx: Transaction, component_ids: Sequence[int]
) -> dict[int, tuple[list[str], list[str]]]:
    """component id → (trial names, experiment names)."""
    result: dict[int, tuple[list[str], list[str]]] = {cid: ([], []) for cid in component_ids}
    for chunk in chunks(list(component_ids)):
        _add_memberships(
            result,
            tx.execute(
                f"SELECT tc.component_id, t.name, e.name FROM {_MEMBERSHIPS}"
                f" WHERE tc.component_id IN ({marks(len(chunk))}) ORDER BY t.id",
                tuple(chunk),
            ),
        )
    return result


def memberships_by_name(
    tx: Transaction, component_names: Sequence[str]
) -> tuple[dict[str, int], dict[int, tuple[list[str], list[str]]]]:
    """(component name → id, id → (trial names, experiment names)) of the components that
    exist, in one query a chunk (a metric flush's first read)."""
    ids: dict[str, int] = {}
    result: dict[int, tuple[list[str], list[str]]] = {}
    for chunk in chunks(list(component_names)):
        rows = tx.execute(
            f"SELECT c.id, c.name, t.name, e.name FROM components c LEFT JOIN ({_MEMBERSHIPS})"
            f" ON tc.component_id = c.id WHERE c.name IN ({marks(len(chunk))}) ORDER BY c.id, t.id",
            tuple(chunk),
        ).fetchall()
        for component_id, name, _, _ in rows:
            ids[name] = component_id
            result.setdefault(component_id, ([], []))
        _add_memberships(result, [(row[0], row[2], row[3]) for row in rows if row[2] is not None])
    return ids, result


_MEMBERSHIPS = (  # a component's trials and their experiments
    "trial_components tc JOIN trials t ON t.id = tc.trial_id"
    " JOIN experiments e ON e.id = t.experiment_id"
)


def _add_memberships(
    result: dict[int, tuple[list[str], list[str]]], rows: Iterable[Sequence[Any]]
) -> None:
    """Add (component id, trial name, experiment name) rows, in trial order."""
    for component_id, trial_name, experiment_name in rows:
        trials, experiments = result[component_id]
        trials.append(trial_name)
        if experiment_name not in experiments:
            experiments.append(experiment_name)


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
