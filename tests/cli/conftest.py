"""Helpers for the `trialbook` command's tests: a populated store and a store snapshot."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import trialbook
from trialbook.cli.app import cli
from trialbook.store import Store, create_store, open_store, resolve_store_location


def invoke(*args: str, expect: int | None = 0) -> Result:
    """Run the command in-process; assert its exit code (any code with ``expect=None``)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert expect is None or result.exit_code == expect, (result.exit_code, result.output)
    return result


def invoke_json(*args: str, expect: int | None = 0) -> Any:
    """Run with --json; stdout must be one JSON document."""
    return json.loads(invoke("--json", *args, expect=expect).stdout)


def store_at(path: Path) -> Store:
    return create_store(resolve_store_location(str(path)))


def populate(tmp_path: Path, *, points: int = 50) -> None:
    """Two experiments in the default (TRIALBOOK_STORE) store, covering what sync must copy:
    NaN and inf points, a shared dataset component, an unassigned one, file and URI artifacts,
    Failed / Stopped / Interrupted statuses, tags, notes and provenance."""
    data_file = tmp_path / "train.csv"
    data_file.write_text("x,y\n1,2\n")
    shared = trialbook.TrialComponent.create("mnist-data", display_name="MNIST", kind="dataset")
    with trialbook.Tracker.load(shared.trial_component_name) as dataset:
        dataset.log_input("source", "s3://bucket/mnist", media_type="text/uri-list")
        dataset.log_artifact(data_file, name="train.csv")
    experiment = trialbook.Experiment.create(
        "lr-sweep",
        hypothesis="A larger learning rate converges faster",
        objective={"metric": "accuracy", "goal": "maximize"},
        variables={"lr": [0.01, 0.1, 0.3]},
        tags={"team": "vision"},
    )
    for index, lr in enumerate([0.01, 0.1, 0.3]):
        with experiment.run(variables={"lr": lr}) as tracker:
            tracker.log_parameters({"batch": 32, "optimizer": "adam", "augment": index == 1})
            for step in range(points):
                tracker.log_metric("loss", 1.0 / (step + 1) + lr, iteration_number=step)
            tracker.log_metric("accuracy", float("nan"))
            tracker.log_metric("accuracy", float("inf"))
            tracker.log_metric("accuracy", 0.5 + lr)
            name = tracker.trial_component.trial_component_name
        trialbook.TrialComponent.load(name).list_trials()[0].add_trial_component(shared)
    failing = trialbook.Experiment.create("failures", description="runs that break")
    try:
        with failing.run(variables={"seed": 1}) as tracker:
            tracker.log_metric("loss", 3.0)
            raise RuntimeError("diverged")
    except RuntimeError:
        pass
    with failing.run(variables={"seed": 2}) as tracker:
        tracker.log_metric("loss", 2.0)
        live = tracker.trial_component.trial_component_name
    store = open_store()
    store.update_component(live, status="InProgress", end_time=None)
    store.record_heartbeat([live], time.time() - 3600)  # a killed writer: Interrupted
    store.update_experiment("failures", notes="see the logs")
    trialbook.TrialComponent.create("orphan-notes", kind="metadata")
    trialbook.flush()


def snapshot(store: Store) -> dict[str, Any]:
    """Everything sync must carry, without ids, creation times or artifact locations."""
    experiments = {
        record.name: {
            key: getattr(record, key)
            for key in ("description", "hypothesis", "objective", "variables", "tags", "notes")
        }
        for record in store.list_experiments()
    }
    trials = {
        record.name: (record.experiment_name, record.variables, record.tags, record.status)
        for record in store.list_trials()
    }
    components = {}
    for record in store.list_components():
        artifacts = {
            (direction, name): (artifact.sha256, artifact.size, artifact.media_type)
            if artifact.sha256
            else (artifact.value, artifact.media_type)
            for direction in ("input", "output")
            for name, artifact in getattr(record, f"{direction}_artifacts").items()
        }
        points = {}
        for metric in record.metrics:
            series = store.metric_points(record.name, metric)
            points[metric] = [
                (step, round(moment, 6), "nan" if math.isnan(value) else value)
                for step, moment, value in zip(
                    series.steps, series.times, series.values, strict=True
                )
            ]
        components[record.name] = {
            "display_name": record.display_name,
            "kind": record.kind,
            "status": record.status,
            "status_message": record.status_message,
            "start_time": record.start_time,
            "end_time": record.end_time,
            "tags": record.tags,
            "notes": record.notes,
            "provenance": record.provenance,
            "parameters": record.parameters,
            "trials": sorted(record.trial_names),
            "artifacts": artifacts,
            "points": points,
        }
    return {"experiments": experiments, "trials": trials, "components": components}


@pytest.fixture
def team_path(tmp_path: Path) -> Path:
    return tmp_path / "team" / "trialbook.db"
