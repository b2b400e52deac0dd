"""The integration example notebooks run end to end in a real kernel; read back from the store."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import trialbook as tb

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXPERIMENT_MIME = "application/vnd.trialbook.experiment+json"


def run_notebook(name: str, tmp_path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute(env={**os.environ, "KERAS_BACKEND": "torch", "HF_HUB_OFFLINE": "1"})
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
    last = notebook.cells[-1]
    assert last.source == "exp"
    (result,) = [output for output in last.outputs if output["output_type"] == "execute_result"]
    assert EXPERIMENT_MIME in result["data"]  # ends by displaying its experiment inline
    return notebook


@pytest.mark.timeout(400)
def test_optuna_example(tmp_path) -> None:
    run_notebook("optuna.ipynb", tmp_path)
    exp = tb.Experiment.load("digits-sgd-optuna")
    assert set(exp.variables) == {"alpha", "loss"}
    assert exp.variables["alpha"] == tb.Range(1e-6, 1e-1, scale="log")
    trials = exp.list_trials()
    assert 15 <= len(trials) <= 20  # TPE may repeat a variable set: a new attempt, same trial
    statuses = {trial.status for trial in trials}
    assert tb.TrialStatus.COMPLETED in statuses and tb.TrialStatus.STOPPED in statuses
    assert exp.dataframe()["ObjectiveValue"].max() > 0.9


@pytest.mark.timeout(400)
def test_sklearn_example(tmp_path) -> None:
    run_notebook("sklearn.ipynb", tmp_path)
    exp = tb.Experiment.load("digits-svc-grid")
    trials = exp.list_trials()
    assert len(trials) == 12
    (best,) = [trial for trial in trials if trial.tags.get("sklearn.refit") == "best"]
    names = {component.display_name for component in best.list_trial_components()}
    assert names == {"Training", "Test"}


@pytest.mark.timeout(400)
def test_keras_example(tmp_path) -> None:
    run_notebook("keras.ipynb", tmp_path)
    exp = tb.Experiment.load("digits-keras-mlp")
    trials = exp.list_trials()
    assert {trial.variables["units"] for trial in trials} == {16, 64}
    for trial in trials:
        (component,) = trial.list_trial_components()
        assert component.status == tb.TrialStatus.COMPLETED
        assert component.metrics["val_accuracy"].count == 6
        assert "system.cpu_percent" in component.metrics
        assert component.parameters["optimizer.learning_rate"] == 0.01
