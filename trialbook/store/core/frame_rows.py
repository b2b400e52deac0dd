"""An experiment's trials for a DataFrame, read in bulk: the trials with a sole component
(``sole_components.py``; nearly all) as flat rows plus their components' series
accumulators, two statements for the whole experiment; the others through the general row
builder (``rows.py``), whose rules (own components, clash keys) they need."""

from __future__ import annotations

from trialbook.store.core.records import ExperimentRecord, TrialFrameRows
from trialbook.store.core.rows import trial_rows
from trialbook.store.core.statuses import trial_status_sql
from trialbook.store.core.summaries import ACCUMULATORS
from trialbook.store.core.transaction import Transaction


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
    result = TrialFrameRows(trials)
    series = result.series
    for row in tx.execute(
        f"SELECT s.component_id, s.name, {ACCUMULATORS} FROM trials t"
        " JOIN metric_series s ON s.component_id = t.sole_component"
        " WHERE t.experiment_id = ? ORDER BY s.component_id, s.id",
        (experiment_id,),
    ):
        found = series.get(row[0])
        if found is None:
            found = series[row[0]] = []
        found.append(row[1:])
    others = [row[0] for row in trials if row[7] is None]
    if others:
        built = trial_rows(tx, experiment, others, parameters=False, provenance=False)
        result.general = dict(zip(others, built, strict=True))
    return result
