"""``exp.run`` starts a trial in one transaction: the same change rows, tallies and rules as
the single-step writes it replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import trialbook as tb
from tests.test_store_tallies import listed, recount
from trialbook.store import open_store


def test_run_writes_the_change_rows_of_each_step(store_path: Path) -> None:
    exp = tb.Experiment.create("sweep", description="d")
    cursor = open_store().latest_change_cursor()
    with exp.run(variables={"lr": 0.1, "seed": 1}) as tracker:
        tracker.log_metric("loss", 0.5)
    trial_name = tracker.trial_component_name.removesuffix("-training")
    changes = [
        (change.kind, change.entity_name, change.experiment_name, change.payload)
        for change in open_store().changes_since(cursor)
    ]
    assert changes[:4] == [
        ("trial.created", trial_name, "sweep", {"variables": {"lr": 0.1, "seed": 1}}),
        (
            "component.created",
            tracker.trial_component_name,
            None,
            {"kind": "training", "status": "InProgress"},
        ),
        ("trial.component_added", trial_name, "sweep", {"component": tracker.trial_component_name}),
        (
            "parameters.logged",
            tracker.trial_component_name,
            "sweep",
            {"names": ["lr", "seed"], "trials": [trial_name], "experiments": ["sweep"]},
        ),
    ]
    assert [kind for kind, *_ in changes[4:]] == ["metrics.appended", "component.status"]
    assert changes[-1][3]["status"] == "Completed"
    component = tb.TrialComponent.load(tracker.trial_component_name)
    assert component.parameters == {"lr": 0.1, "seed": 1}
    assert component.status == tb.TrialStatus.COMPLETED
    assert open_store().get_component(tracker.trial_component_name).trial_names == [trial_name]


def test_attempts_keep_the_tallies_and_rules(store_path: Path) -> None:
    exp = tb.Experiment.create("sweep", description="d")
    with pytest.raises(RuntimeError), exp.run(variables={"lr": 0.1}):
        raise RuntimeError("boom")
    assert listed("sweep") == recount("sweep")
    assert listed("sweep")[1]["Failed"] == 1
    with exp.run(variables={"lr": 0.1}) as retry:
        assert retry.display_name == "Training (attempt 2)"
        assert listed("sweep") == recount("sweep")
        assert listed("sweep")[2] == "InProgress"
        with pytest.raises(tb.AlreadyExistsError, match="running now"):
            exp.run(variables={"lr": 0.1})
    with pytest.raises(tb.AlreadyExistsError, match="already Completed"):
        exp.run(variables={"lr": 0.1})
    with exp.run(variables={"lr": 0.1}, rerun=True) as third:
        assert third.display_name == "Training (attempt 3)"
    with exp.run() as unnamed:  # no variables: a new trial each time
        unnamed.log_metric("loss", 1.0)
    assert listed("sweep") == recount("sweep")
    assert listed("sweep")[:2] == (
        2,
        {"InProgress": 0, "Completed": 2, "Failed": 0, "Stopped": 0, "Interrupted": 0},
    )


def test_listeners_hear_the_rows_the_feed_holds(store_path: Path) -> None:
    """The seqs handed to change listeners (and announced) are the rows' own."""
    exp = tb.Experiment.create("sweep", description="d")
    heard: list[tuple[int, str, str]] = []
    store = open_store()

    def listener(changes: list[Any]) -> None:
        heard.extend((change.seq, change.kind, change.entity_name) for change in changes)

    cursor = store.latest_change_cursor()
    store.add_change_listener(listener)
    try:
        for index in range(3):
            with exp.run(variables={"lr": index}) as tracker:
                tracker.log_metric("loss", 0.5)
    finally:
        store.remove_change_listener(listener)
    stored = [(c.seq, c.kind, c.entity_name) for c in store.changes_since(cursor)]
    assert heard == stored
    assert len(stored) == 18
