"""Deleting trials and components by the store's rules: a trial takes with it the components
used only by it (shared ones are disassociated); artifact files are removed afterwards, by
the caller, once no artifact row names them."""

from __future__ import annotations

from collections.abc import Sequence

from trialbook.store.core import column_catalogue, tallies
from trialbook.store.core.transaction import Transaction, chunks, marks


def delete_trials(tx: Transaction, trial_ids: Sequence[int], experiment: str) -> list[str]:
    """Delete trials and their exclusive components; return artifact paths to check."""
    if not trial_ids:
        return []
    trial_set = set(trial_ids)
    component_ids: set[int] = set()
    for chunk in chunks(list(trial_ids)):
        component_ids.update(
            row[0]
            for row in tx.execute(
                "SELECT component_id FROM trial_components"
                f" WHERE trial_id IN ({marks(len(chunk))})",
                tuple(chunk),
            )
        )
    exclusive: list[int] = []
    for chunk in chunks(sorted(component_ids)):
        owners: dict[int, set[int]] = {cid: set() for cid in chunk}
        for component_id, trial_id in tx.execute(
            "SELECT component_id, trial_id FROM trial_components"
            f" WHERE component_id IN ({marks(len(chunk))})",
            tuple(chunk),
        ):
            owners[component_id].add(trial_id)
        exclusive.extend(cid for cid, trials in owners.items() if trials <= trial_set)
    tallies.trials_removed(tx, trial_ids)
    catalogued = column_catalogue.snapshot(tx, component_ids, trial_ids)
    paths = delete_components(tx, exclusive, experiment)
    for chunk in chunks(list(trial_ids)):
        in_list = marks(len(chunk))
        names = [
            row[0] for row in tx.execute(f"SELECT name FROM trials WHERE id IN ({in_list})", chunk)
        ]
        tx.execute(f"DELETE FROM trial_components WHERE trial_id IN ({in_list})", tuple(chunk))
        tx.execute(f"DELETE FROM trials WHERE id IN ({in_list})", tuple(chunk))
        for trial_name in names:
            tx.record_change("deleted", "trial", trial_name, experiment)
    column_catalogue.apply(tx, catalogued)
    return paths


def delete_components(
    tx: Transaction, component_ids: Sequence[int], experiment: str | None
) -> list[str]:
    """Delete components (their rows cascade); return their artifact paths to check."""
    paths: list[str] = []
    for chunk in chunks(list(component_ids)):
        in_list = marks(len(chunk))
        paths.extend(
            row[0]
            for row in tx.execute(
                f"SELECT path FROM artifacts WHERE component_id IN ({in_list})"
                " AND path IS NOT NULL",
                tuple(chunk),
            )
        )
        names = [
            row[0]
            for row in tx.execute(f"SELECT name FROM components WHERE id IN ({in_list})", chunk)
        ]
        tx.execute(f"DELETE FROM components WHERE id IN ({in_list})", tuple(chunk))
        for component_name in names:
            tx.record_change("deleted", "component", component_name, experiment)
    return paths


def unreferenced(tx: Transaction, paths: Sequence[str]) -> list[str]:
    """The artifact paths no artifact row names any more."""
    return [
        path
        for path in paths
        if tx.execute("SELECT 1 FROM artifacts WHERE path = ? LIMIT 1", (path,)).fetchone() is None
    ]
