"""An experiment's trials for a DataFrame, read in bulk: the trials with a sole component
(``sole_components.py``; nearly all) as flat rows plus their components' series
accumulators, two statements for the whole experiment; the others through the general row
builder (``rows.py``), whose rules (own components, clash keys) they need."""

from __future__ import annotations

from trialbook.store.core.records import ComponentFrameRows, ExperimentRecord, TrialFrameRows
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


def component_frame_rows(tx: Transaction, experiment_id: int) -> ComponentFrameRows:
    """The components of an experiment's trials in bulk for ``ExperimentAnalytics``: one
    statement per kind of row for the whole experiment, each in the order
    ``components.records`` reads it (so dicts built from them keep the same key order)."""
    mine = (
        "{owner} IN (SELECT mc.component_id FROM trial_components mc JOIN trials mt"
        " ON mt.id = mc.trial_id WHERE mt.experiment_id = ?)"
    )
    rows = ComponentFrameRows(
        tx.execute(
            f"SELECT c.id, c.name, c.display_name, c.creation_time FROM components c"
            f" WHERE {mine.format(owner='c.id')} ORDER BY c.id",
            (experiment_id,),
        ).fetchall()
    )
    # Each kind in its table's own order: grouped per component below, a component's rows
    # keep it, which is the order ``components.records`` reads them in. (``+`` keeps SQLite
    # from reading parameters through an index and then sorting millions of rows by rowid.)
    order = tx.dialect.parameter_order
    for target, sql in (
        (
            rows.parameters,
            "SELECT p.component_id, p.name, p.type, p.value FROM parameters p"
            f" WHERE {mine.format(owner='+p.component_id')} ORDER BY p.{order}",
        ),
        (
            rows.series,
            f"SELECT s.component_id, s.name, {ACCUMULATORS} FROM metric_series s"
            f" WHERE {mine.format(owner='s.component_id')} ORDER BY s.id",
        ),
        (
            rows.artifacts,
            "SELECT a.component_id, a.direction, a.name, a.media_type, a.value FROM artifacts a"
            f" WHERE {mine.format(owner='a.component_id')} ORDER BY a.id",
        ),
        (
            rows.trials,
            "SELECT tc.component_id, t.name, e.name FROM trial_components tc"
            " JOIN trials t ON t.id = tc.trial_id JOIN experiments e ON e.id = t.experiment_id"
            f" WHERE {mine.format(owner='tc.component_id')} ORDER BY t.id",
        ),
    ):
        for component_id, *rest in tx.execute(sql, (experiment_id,)):
            found = target.get(component_id)
            if found is None:
                found = target[component_id] = []
            found.append(rest)
    return rows
