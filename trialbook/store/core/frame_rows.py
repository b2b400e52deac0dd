"""An experiment's trials for a DataFrame, read in bulk: the trials with a sole component
(``sole_components.py``; nearly all) as flat rows plus their components' series
accumulators as columns (``grid.py`` when each has series of the same names, else
``pivot.py``), a few statements for the whole experiment; the others through the general
row builder (``rows.py``), whose rules (own components, clash keys) they need."""

from __future__ import annotations

from trialbook.store.core.grid import metric_grid
from trialbook.store.core.pivot import pivot, place
from trialbook.store.core.records import ExperimentRecord, TrialFrameRows
from trialbook.store.core.rows import trial_rows
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.summaries import ACCUMULATOR_CELLS
from trialbook.store.core.transaction import Transaction

#: The trials, each with its sole component (NULL for the others), as a pivot's row source.
_ROWS = (
    "SELECT t.id AS row_id, t.sole_component AS component_id FROM trials t"
    " WHERE t.experiment_id = :experiment"
)
#: Their sole components, for a grid (``grid.py``; NULL matches nothing).
_SOLE_COMPONENTS = "SELECT t.sole_component FROM trials t WHERE t.experiment_id = :experiment"


def trial_frame_rows(
    tx: Transaction, experiment: ExperimentRecord, experiment_id: int
) -> TrialFrameRows:
    status, status_parameters = trial_status_sql(tx.now)
    trials = tx.execute(
        f"SELECT t.id, t.name, {status}, t.creation_time, c.start_time, c.end_time,"
        " t.variables, t.sole_component FROM trials t"
        " LEFT JOIN components c ON c.id = t.sole_component"
        " WHERE t.experiment_id = ? ORDER BY t.id",
        (*status_parameters, experiment_id),
    ).fetchall()
    ids = [row[0] for row in trials]
    soles = [row[7] for row in trials]
    bound = {"experiment": experiment_id}
    components = sorted(component for component in soles if component is not None)
    if components == soles:
        blocks = None
    else:
        position = {component: index for index, component in enumerate(components)}
        blocks = [None if component is None else position[component] for component in soles]
    metrics = metric_grid(tx, _SOLE_COMPONENTS, bound, components, blocks)
    if metrics is None:
        metrics = pivot(tx, _ROWS, bound, ids, "metric_series", ACCUMULATOR_CELLS)
    place(tx, "metric_series", "id", soles, metrics)
    result = TrialFrameRows(trials, metrics)
    others = [row[0] for row in trials if row[7] is None]
    if others:
        built = trial_rows(tx, experiment, others, parameters=False, provenance=False)
        result.general = dict(zip(others, built, strict=True))
    return result
