"""The quickstart notebook runs end to end in a real kernel; another process reads it back."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import trialbook

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"
EVALUATION = "application/vnd.trialbook.evaluation+json"


def run_notebook(tmp_path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    return notebook


@pytest.mark.timeout(300)
def test_quickstart_runs_and_is_read_back_from_another_process(tmp_path):
    notebook = run_notebook(tmp_path)
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []

    # The story of the hypothesis: one seed is inconclusive, three seeds support it.
    evaluations = [
        output["data"][EVALUATION]["evaluation"]
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.rstrip().endswith("exp.evaluate()")
        for output in cell.get("outputs", [])
        if EVALUATION in output.get("data", {})
    ]
    assert [evaluation["verdict"] for evaluation in evaluations] == ["inconclusive", "supported"]
    first, final = evaluations
    assert first["n_treatment"] == first["n_control"] == 2 and first["paired"]
    assert first["trials_needed"] > 2
    assert final["n_treatment"] == final["n_control"] == 6 and final["ci"][0] > 0
    assert final["effect"] >= 0.01

    # This test process is not the kernel: everything below comes from the store.
    exp = trialbook.Experiment.load("cifar10-custom-vs-resnet50")
    assert exp.hypothesis.startswith("If I use my custom image classification model")
    trials = exp.list_trials()
    assert len(trials) == 12
    assert {tuple(sorted(t.variables.items())) for t in trials} == {
        tuple(sorted({"model": m, "lr": lr, "seed": s}.items()))
        for m in ("custom", "resnet50")
        for lr in (0.1, 0.01)
        for s in (0, 1, 2)
    }
    assert {t.status for t in trials} == {trialbook.TrialStatus.COMPLETED}

    # One preprocessing component shared by every trial.
    (preprocessing,) = [
        tc
        for tc in trialbook.TrialComponent.list(experiment_name=exp.experiment_name)
        if tc.display_name == "Preprocessing"
    ]
    assert len(preprocessing.list_trials()) == 12

    frame = exp.dataframe()
    assert len(frame) == 12
    series = trialbook.ExperimentAnalytics(exp.experiment_name).metrics_dataframe()
    training = series[series["metric"] == "val_accuracy"]
    assert training.groupby("TrialComponentName")["step"].max().eq(9).all()

    # Re-running the notebook just works: same experiment, same trials, new attempts.
    run_notebook(tmp_path)
    assert len(trialbook.Experiment.load("cifar10-custom-vs-resnet50").list_trials()) == 12
