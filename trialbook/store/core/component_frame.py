"""An experiment's trial components for ``ExperimentAnalytics.dataframe()``, read in bulk:
their parameters and metric accumulators as columns (``grid.py`` when every component has
the same names, else ``pivot.py``), a handful of statements for the whole experiment
whatever its size, instead of a record per component."""

from __future__ import annotations

from collections.abc import Collection
from itertools import compress
from typing import Any

from trialbook.store.core.grid import metric_grid, parameter_grid
from trialbook.store.core.pivot import keep_rows, pivot, place
from trialbook.store.core.records import ComponentFrameRows
from trialbook.store.core.summaries import ACCUMULATOR_CELLS
from trialbook.store.core.transaction import Transaction

#: The experiment's components (each once), as a pivot's row source.
_ROWS = (
    "SELECT DISTINCT tc.component_id AS row_id, tc.component_id AS component_id"
    " FROM trial_components tc JOIN trials t ON t.id = tc.trial_id"
    " WHERE t.experiment_id = :experiment"
)
#: The same components as a grid's (``grid.py``) list of ids (repeats do not matter).
_COMPONENT_IDS = (
    "SELECT tc.component_id FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
    " WHERE t.experiment_id = :experiment"
)


def component_frame_rows(
    tx: Transaction, experiment_id: int, matching_trials: Collection[int] | None
) -> ComponentFrameRows:
    """The components of the experiment's trials (of ``matching_trials`` only, when given),
    oldest first."""
    bound = {"experiment": experiment_id}
    components = tx.execute(
        "SELECT c.id, c.name, c.display_name, c.creation_time FROM components c"
        f" WHERE c.id IN ({_COMPONENT_IDS}) ORDER BY c.id",
        bound,
    ).fetchall()
    ids = [row[0] for row in components]
    index = {component_id: position for position, component_id in enumerate(ids)}
    trials: list[list[str]] = [[] for _ in ids]
    experiments: list[list[str]] = [[] for _ in ids]
    keep = [matching_trials is None] * len(ids)
    experiment_names = dict(tx.execute("SELECT id, name FROM experiments").fetchall())
    links = 0  # to the experiment's trials
    for component_id, trial_id, trial, experiment_of_trial in tx.execute(
        "SELECT tc.component_id, t.id, t.name, t.experiment_id FROM trial_components tc"
        f" JOIN trials t ON t.id = tc.trial_id WHERE tc.component_id IN ({_COMPONENT_IDS})"
        " ORDER BY t.id",
        bound,
    ).fetchall():  # psycopg's cursor steps a row at a time: 0.13 s more
        position = index[component_id]
        trials[position].append(trial)
        links += experiment_of_trial == experiment_id
        experiment = experiment_names[experiment_of_trial]
        if experiment not in experiments[position]:
            experiments[position].append(experiment)
        if matching_trials is not None and trial_id in matching_trials:
            keep[position] = True
    artifacts: list[list[tuple[Any, ...]]] = [[] for _ in ids]
    for component_id, *artifact in tx.execute(
        "SELECT a.component_id, a.direction, a.name, a.value, a.media_type FROM artifacts a"
        f" WHERE a.component_id IN ({_COMPONENT_IDS}) ORDER BY a.id",
        bound,
    ).fetchall():
        artifacts[index[component_id]].append(tuple(artifact))
    parameters = parameter_grid(tx, experiment_id, _COMPONENT_IDS, bound, ids, links)
    if parameters is None:
        parameters = pivot(tx, _ROWS, bound, ids, "parameters", tx.dialect.parameter_cells)
    metrics = metric_grid(tx, _COMPONENT_IDS, bound, ids)
    if metrics is None:
        metrics = pivot(tx, _ROWS, bound, ids, "metric_series", ACCUMULATOR_CELLS)
    if not all(keep):
        components, trials, experiments, artifacts = (
            list(compress(items, keep)) for items in (components, trials, experiments, artifacts)
        )
        ids = [row[0] for row in components]
        keep_rows(parameters, keep)
        keep_rows(metrics, keep)
    place(tx, "parameters", tx.dialect.parameter_order, ids, parameters)
    place(tx, "metric_series", "id", ids, metrics)
    return ComponentFrameRows(components, parameters, metrics, artifacts, trials, experiments)
