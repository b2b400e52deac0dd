"""`trialbook import mlflow` against runs created here with real MLflow (sqlite tracking store)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import invoke_json
from trialbook.cli import exit_codes
from trialbook.cli.mlflow_import import is_claim, parse_param, trialbook_key
from trialbook.store import open_store

mlflow_tracking = pytest.importorskip("mlflow.tracking")

T0 = 1_700_000_000_000  # ms


@pytest.fixture
def mlflow_store(tmp_path: Path) -> tuple[str, Any]:
    warnings.filterwarnings("ignore", category=FutureWarning)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    return uri, mlflow_tracking.MlflowClient(tracking_uri=uri)


def _run(client: Any, experiment_id: str, name: str, params: dict, status: str, plot: Path) -> str:
    run = client.create_run(experiment_id, run_name=name, tags={"owner": "ana"}, start_time=T0)
    run_id = run.info.run_id
    for key, value in params.items():
        client.log_param(run_id, key, value)
    for step in range(5):
        client.log_metric(
            run_id, "train/loss", 1.0 / (step + 1), timestamp=T0 + step * 1000, step=step
        )
    client.log_metric(run_id, "accuracy", 0.9, timestamp=T0 + 9000, step=10)
    client.log_artifact(run_id, str(plot), artifact_path="plots")
    client.set_terminated(run_id, status=status, end_time=T0 + 10_000)
    return run_id


def test_runs_become_trials_with_params_metrics_artifacts_and_statuses(
    tmp_path: Path, mlflow_store: tuple[str, Any]
) -> None:
    uri, client = mlflow_store
    plot = tmp_path / "curve.png"
    plot.write_bytes(b"\x89PNG fake image")
    experiment_id = client.create_experiment(
        "vision/lr sweep",
        artifact_location=(tmp_path / "mlartifacts").as_uri(),
        tags={"mlflow.note.content": "A larger learning rate improves accuracy", "team": "cv"},
    )
    runs = {
        _run(client, experiment_id, "fast", {"lr": "0.3", "epochs": "3"}, "FINISHED", plot): (
            0.3,
            "Completed",
        ),
        _run(client, experiment_id, "slow", {"lr": "0.01", "epochs": "3"}, "FAILED", plot): (
            0.01,
            "Failed",
        ),
        _run(client, experiment_id, "mid", {"lr": "0.1", "epochs": "3"}, "KILLED", plot): (
            0.1,
            "Stopped",
        ),
    }
    baseline = client.create_experiment(
        "baseline",
        artifact_location=(tmp_path / "base").as_uri(),
        tags={"mlflow.note.content": "Nightly runs of the production model"},
    )
    _run(client, baseline, "nightly", {"lr": "0.1"}, "FINISHED", plot)

    report = invoke_json("import", "mlflow", "--tracking-uri", uri)
    assert report["experiments"] == 2
    assert report["trials"] == 4
    assert report["points"] == 4 * 6
    assert report["artifacts"] == 4
    assert report["conflicts"] == []

    store = open_store()
    experiment = store.get_experiment("vision.lr sweep")
    assert experiment.hypothesis == "A larger learning rate improves accuracy"
    assert experiment.description is None
    assert experiment.tags == {"team": "cv", "mlflow.experiment_id": experiment_id}
    assert experiment.variables == {"lr": {"type": "choice", "values": [0.01, 0.1, 0.3]}}
    nightly = store.get_experiment("baseline")
    assert nightly.description == "Nightly runs of the production model"
    assert nightly.hypothesis is None
    trials = store.list_trials(experiment_name="vision.lr sweep")
    assert len(trials) == 3
    for trial in trials:
        run_id = trial.tags["mlflow.run_id"]
        lr, status = runs[run_id]
        assert trial.variables == {"lr": lr}
        assert trial.status == status
        assert trial.tags["owner"] == "ana"
        [component] = store.list_components(trial_name=trial.name)
        assert component.name == f"{trial.name}-training"
        assert component.kind == "training"
        assert component.parameters == {"lr": lr, "epochs": 3}
        assert component.start_time == T0 / 1000 and component.end_time == T0 / 1000 + 10
        assert component.provenance["mlflow_run_id"] == run_id
        loss = store.metric_points(component.name, "train.loss")
        assert loss.steps == [0, 1, 2, 3, 4]
        assert loss.times == [T0 / 1000 + step for step in range(5)]
        assert loss.values == [1.0 / (step + 1) for step in range(5)]
        assert store.metric_points(component.name, "accuracy").steps == [10]
        artifact = component.output_artifacts["plots.curve.png"]
        assert artifact.media_type == "image/png"
        assert store.artifact_file(artifact).read_bytes() == b"\x89PNG fake image"

    again = invoke_json("import", "mlflow", "--tracking-uri", uri)
    assert again["added"] == 0 and again["conflicts"] == []

    rerun = _run(client, experiment_id, "fast", {"lr": "0.3", "epochs": "3"}, "FINISHED", plot)
    more = invoke_json("import", "mlflow", "--tracking-uri", uri, "--experiment", "vision/lr sweep")
    assert (more["trials"], more["components"], more["points"]) == (0, 1, 6)
    [component] = [c for c in store.list_components() if c.tags.get("mlflow.run_id") == rerun]
    [trial] = component.trial_names
    assert store.get_trial(trial).variables == {"lr": 0.3}
    assert len(store.list_components(trial_name=trial)) == 2  # a second attempt of lr=0.3

    _run(client, experiment_id, "other", {"lr": "0.3", "epochs": "5"}, "FINISHED", plot)
    widened = invoke_json("import", "mlflow", "--tracking-uri", uri, expect=exit_codes.CONFLICT)
    assert {conflict["field"] for conflict in widened["conflicts"]} == {"variables"}
    assert store.get_trial(trial).variables == {"lr": 0.3}  # never overwritten


def test_runs_with_equal_variables_are_attempts_of_one_trial(
    tmp_path: Path, mlflow_store: tuple[str, Any]
) -> None:
    uri, client = mlflow_store
    plot = tmp_path / "notes.txt"
    plot.write_text("hello")
    experiment_id = client.create_experiment("seeds", artifact_location=(tmp_path / "a").as_uri())
    for lr in ("0.1", "0.1", "0.2"):
        _run(client, experiment_id, "r", {"lr": lr}, "FINISHED", plot)
    report = invoke_json("import", "mlflow", "--tracking-uri", uri)
    assert (report["trials"], report["components"]) == (2, 3)
    store = open_store()
    sizes = {
        trial.variables["lr"]: len(store.list_components(trial_name=trial.name))
        for trial in store.list_trials(experiment_name="seeds")
    }
    assert sizes == {0.1: 2, 0.2: 1}
    assert (
        open_store().get_experiment("seeds").description
        == "Imported from MLflow experiment 'seeds'."
    )


def test_an_unknown_experiment_is_not_found(mlflow_store: tuple[str, Any]) -> None:
    uri, _client = mlflow_store
    error = invoke_json(
        "import",
        "mlflow",
        "--tracking-uri",
        uri,
        "--experiment",
        "nope",
        expect=exit_codes.NOT_FOUND,
    )
    assert error["exit_code"] == exit_codes.NOT_FOUND
    assert "No MLflow experiment named 'nope'" in error["error"]


def test_mapping_rules() -> None:
    assert is_claim("Dropout reduces overfitting")
    assert is_claim("We expect Adam to beat SGD")
    assert not is_claim("Nightly runs of the production model")
    assert not is_claim(None)
    assert parse_param("3") == 3 and parse_param("0.5") == 0.5 and parse_param("True") is True
    assert parse_param("adam") == "adam" and parse_param("nan") == "nan"
    assert trialbook_key("/Users/ana/exp") == "Users.ana.exp"


def test_an_mlruns_folder_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 only writes it when told
    monkeypatch.chdir(tmp_path)
    client = mlflow_tracking.MlflowClient(tracking_uri="./mlruns")
    plot = tmp_path / "p.txt"
    plot.write_text("x")
    experiment_id = client.create_experiment("folder")
    for lr in ("0.1", "0.2"):
        _run(client, experiment_id, "r", {"lr": lr}, "FINISHED", plot)
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE")  # the importer allows reading by itself
    report = invoke_json("import", "mlflow", "--tracking-uri", "./mlruns")
    assert (report["trials"], report["points"], report["artifacts"]) == (2, 12, 2)
    trials = open_store().list_trials(experiment_name="folder")
    assert sorted(trial.variables["lr"] for trial in trials) == [0.1, 0.2]


def test_an_unusable_tracking_uri_says_what_to_check() -> None:
    error = invoke_json("import", "mlflow", "--tracking-uri", "bogus://x", expect=1)
    assert "MLflow could not read 'bogus://x'" in error["error"]
    assert "check --tracking-uri" in error["error"]
