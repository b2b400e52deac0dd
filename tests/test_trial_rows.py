"""One trial-row builder: ``Store.trial_rows`` is exactly the rows of ``Store.trial_table``."""

from __future__ import annotations

import json
import math

import trialbook as tb
from trialbook.store import TrialFilter, TrialQuery, open_store


def _same(left: object, right: object) -> bool:
    """Equality where NaN equals NaN (json spells it the same way on both sides)."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _experiment_with_clashes() -> tb.Experiment:
    exp = tb.Experiment.create(
        "rows", objective={"metric": "loss", "goal": "minimize"}, variables={"lr": [0.1, 0.2]}
    )
    data = tb.TrialComponent.create("data", kind="dataset")
    data.parameters["lr"] = 0.5
    data.save()
    for lr in (0.1, 0.2):
        with exp.run(variables={"lr": lr}) as training:
            training.log_parameter("batch_size", 32)
            training.log_metric("loss", lr)
            training.log_metric("loss", math.nan)
        (trial_name,) = training.trial_component.trial_names
        trial = tb.Trial.load(trial_name)
        trial.add_trial_component(data)  # shared by both trials: no metrics for either
        with tb.Tracker.create(f"evaluation-{lr}", display_name="Evaluation") as evaluation:
            evaluation.log_metric("loss", lr / 2)
            evaluation.log_metric("accuracy", 1 - lr)
        trial.add_trial_component(evaluation.trial_component)
    return exp


def test_trial_rows_are_the_table_rows() -> None:
    _experiment_with_clashes()
    store = open_store()
    rows = store.trial_rows("rows")
    table = store.trial_table("rows", TrialQuery())
    assert len(rows) == 2 and table.total == 2
    assert [sorted(row) for row in rows] == [sorted(row) for row in table.rows]
    assert _same(rows, table.rows)
    # Not trivially equal: clash keys, summaries as table stats, trimmed provenance.
    first = rows[0]
    assert set(first["metrics"]) == {"Training/loss", "Evaluation/loss", "accuracy"}
    assert set(first["metrics"]["accuracy"]) == {"min", "max", "avg", "stddev", "last", "count"}
    assert math.isnan(first["metrics"]["Training/loss"]["last"])
    assert first["objective_value"] == 0.05  # the latest own component that logged "loss"
    assert first["provenance"]["pid"] > 0
    assert "packages" not in first["provenance"] and "cell_source" not in first["provenance"]
    assert "data/lr" in first["parameters"]  # "lr" differs between components
    assert first["status"] == "Completed" and "data" in first["components"]


def test_a_filtered_sorted_page_holds_the_same_rows() -> None:
    _experiment_with_clashes()
    store = open_store()
    by_name = {row["name"]: row for row in store.trial_rows("rows")}
    query = TrialQuery(
        sort="metrics.accuracy.last",
        descending=True,
        filters=[TrialFilter("status", "eq", "Completed")],
        statuses=["Completed"],
        limit=1,
        offset=1,
    )
    table = store.trial_table("rows", query)
    assert table.total == 2 and len(table.rows) == 1
    (row,) = table.rows
    assert row["metrics"]["accuracy"]["last"] == 0.8  # the lower accuracy: second descending
    assert _same(row, by_name[row["name"]])
