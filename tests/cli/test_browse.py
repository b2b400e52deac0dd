"""`ls`, `show` and `export`: human and --json output of a populated store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas
import pytest

import trialbook
from tests.cli.conftest import invoke, invoke_json, populate
from trialbook.cli import exit_codes


@pytest.fixture
def populated(tmp_path: Path) -> None:
    populate(tmp_path, points=5)


def test_ls_experiments_and_trials(populated: None, store_path: Path) -> None:
    experiments = invoke_json("ls")
    assert [row["name"] for row in experiments] == ["lr-sweep", "failures"]
    assert experiments[0]["trial_count"] == 3
    assert experiments[0]["hypothesis"] == "A larger learning rate converges faster"
    trials = invoke_json("--store", str(store_path), "ls", "lr-sweep")
    assert sorted(row["variables"]["lr"] for row in trials) == [0.01, 0.1, 0.3]
    assert all(row["status"] == "Completed" for row in trials)
    interrupted = invoke_json("ls", "failures", "--status", "Interrupted")
    assert [row["variables"] for row in interrupted] == [{"seed": 2}]
    text = invoke("ls").output
    assert "lr-sweep" in text and "HYPOTHESIS" in text
    assert "Failed" in invoke("ls", "failures").output


def test_ls_query_in_one_experiment_and_across_all(populated: None) -> None:
    small = invoke_json("ls", "lr-sweep", "--query", "lr < 0.2")
    assert sorted(row["variables"]["lr"] for row in small) == [0.01, 0.1]
    everywhere = invoke_json("ls", "-q", 'status == "Completed" and lr >= 0.1')
    assert sorted(row["variables"]["lr"] for row in everywhere) == [0.1, 0.3]
    assert {row["experiment_name"] for row in everywhere} == {"lr-sweep"}
    typo = invoke_json("ls", "lr-sweep", "--query", "lrr < 0.2", expect=exit_codes.USAGE)
    assert "did you mean 'lr'" in typo["error"]


def test_ls_errors_say_what_to_do(populated: None, tmp_path: Path) -> None:
    missing = invoke_json("ls", "nope", expect=exit_codes.NOT_FOUND)
    assert "nope" in missing["error"]
    store = invoke_json("--store", str(tmp_path / "none.db"), "ls", expect=exit_codes.NOT_FOUND)
    assert "No Trialbook store at" in store["error"] and "--store" in store["error"]
    assert invoke("ls", "--status", "Bogus", expect=exit_codes.USAGE)


def test_show_experiment_trial_and_component(populated: None) -> None:
    experiment = invoke_json("show", "lr-sweep")
    assert experiment["entity_type"] == "experiment"
    assert experiment["objective"]["metric"] == "accuracy"
    assert len(experiment["trials"]) == 3
    trial_name = experiment["trials"][0]["name"]
    trial = invoke_json("show", trial_name)
    assert trial["entity_type"] == "trial" and trial["experiment_name"] == "lr-sweep"
    training = next(c for c in trial["components"] if c["kind"] == "training")
    assert training["parameters"]["optimizer"] == "adam"
    accuracy = training["metrics"]["accuracy"]
    assert accuracy["count"] == 3 and accuracy["max"] == "Infinity"  # NaN/inf as JSON strings
    assert training["provenance"]["pid"]
    dataset = invoke_json("show", "mnist-data")
    assert dataset["entity_type"] == "component" and dataset["kind"] == "dataset"
    assert dataset["output_artifacts"]["train.csv"]["media_type"] == "text/csv"
    assert dataset["input_artifacts"]["source"]["value"] == "s3://bucket/mnist"
    assert len(dataset["trials"]) == 3
    text = invoke("show", trial_name).output
    assert "parameters:" in text and "loss" in text and "provenance:" in text
    assert "train.csv" in invoke("show", "mnist-data").output
    assert invoke_json("show", "nothing", expect=exit_codes.NOT_FOUND)["exit_code"] == 3


def test_show_an_ambiguous_name(populated: None) -> None:
    trialbook.TrialComponent.create("lr-sweep", kind="metadata")
    found = invoke_json("show", "lr-sweep")
    assert found["entity_type"] == "experiment" and found["also"] == ["component"]
    assert invoke_json("show", "lr-sweep", "--kind", "component")["entity_type"] == "component"
    assert "add --kind component" in invoke("show", "lr-sweep").output


def test_export_has_the_dataframe_columns(populated: None, tmp_path: Path) -> None:
    expected = trialbook.Experiment.load("lr-sweep").dataframe()
    frame = pandas.read_csv(io.StringIO(invoke("export", "lr-sweep").stdout))
    assert list(frame.columns) == list(expected.columns)
    assert len(frame) == 3
    records = json.loads(invoke("export", "lr-sweep", "--format", "json").stdout)
    assert [row["TrialName"] for row in records] == list(expected["TrialName"])
    target = tmp_path / "trials.parquet"
    summary = invoke_json("export", "lr-sweep", "--format", "parquet", "-o", str(target))
    assert summary["rows"] == 3 and summary["columns"] == [str(c) for c in expected.columns]
    assert list(pandas.read_parquet(target).columns) == list(expected.columns)


def test_export_long_metrics(populated: None) -> None:
    expected = trialbook.ExperimentAnalytics("lr-sweep").metrics_dataframe()
    frame = pandas.read_csv(io.StringIO(invoke("export", "lr-sweep", "--metrics", "long").stdout))
    assert list(frame.columns) == [
        "TrialComponentName",
        "Trials",
        "metric",
        "step",
        "timestamp",
        "value",
    ]
    assert len(frame) == len(expected) == 3 * (5 + 3)
    assert invoke_json("export", "nope", expect=exit_codes.NOT_FOUND)["exit_code"] == 3
