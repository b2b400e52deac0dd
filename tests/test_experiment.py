from __future__ import annotations

import pytest

import trialbook as tb
from trialbook.store import open_store


def test_an_experiment_needs_a_hypothesis_objective_or_description() -> None:
    with pytest.raises(tb.ValidationError, match="hypothesis"):
        tb.Experiment.create("e")
    assert tb.Experiment.create("h", hypothesis="H").hypothesis == "H"
    assert tb.Experiment.create("d", description="D").description == "D"
    exp = tb.Experiment.create("o", objective={"metric": "acc", "goal": "maximize"})
    assert exp.objective == {"metric": "acc", "goal": "maximize", "summary": "best"}


@pytest.mark.parametrize(
    "objective",
    [
        {"metric": "acc"},
        {"metric": "acc", "goal": "up"},
        {"goal": "maximize"},
        {"metric": "acc", "goal": "maximize", "summary": "median"},  # mean is valid since #12
        "acc",
    ],
)
def test_bad_objectives(objective: object) -> None:
    with pytest.raises(tb.ValidationError):
        tb.Experiment.create("e", objective=objective)  # type: ignore[arg-type]


def test_names_are_unique_and_exist_ok_returns_the_existing_one() -> None:
    first = tb.Experiment.create("e", hypothesis="H", variables={"lr": [1, 2]}, tags={"a": "b"})
    with pytest.raises(tb.AlreadyExistsError) as error:
        tb.Experiment.create("e", hypothesis="H")
    assert error.value.existing.name == "e"
    again = tb.Experiment.create("e", hypothesis="H", variables={"lr": [1, 2]}, exist_ok=True)
    assert again == first and again.creation_time == first.creation_time
    with pytest.raises(tb.ValidationError, match="different"):
        tb.Experiment.create("e", hypothesis="other", exist_ok=True)
    with pytest.raises(tb.ValidationError, match="variables"):
        tb.Experiment.create("e", hypothesis="H", variables={"lr": [1, 3]}, exist_ok=True)


def test_load_list_and_not_found_hint() -> None:
    for name in ["b", "a", "c"]:
        tb.Experiment.create(name, hypothesis=name)
    assert [e.experiment_name for e in tb.Experiment.list()] == ["b", "a", "c"]
    assert tb.Experiment.load("a").hypothesis == "a"
    tb.Experiment.create("cifar10-resnet", hypothesis="x")
    with pytest.raises(tb.NotFoundError, match="cifar10-resnet"):
        tb.Experiment.load("cifar10-resnt")
    with pytest.raises(LookupError):
        tb.Experiment.load("nope")


def test_times_are_timezone_aware_utc() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    assert exp.creation_time.tzinfo is not None
    assert exp.creation_time.utcoffset().total_seconds() == 0


def test_tags_dict_or_sagemaker_list() -> None:
    exp = tb.Experiment.create("e", hypothesis="H", tags=[{"Key": "team", "Value": "vision"}])
    assert exp.tags == {"team": "vision"}
    with pytest.raises(tb.ValidationError):
        tb.Experiment.create("f", hypothesis="H", tags={"a": 1})


def test_save_updates_and_keeps_variables_of_an_experiment_with_trials() -> None:
    exp = tb.Experiment.create("e", hypothesis="H", variables={"x": [1, 2]})
    exp.description = "more"
    exp.notes = "a note"
    exp.tags = {"k": "v"}
    exp.save()
    loaded = tb.Experiment.load("e")
    assert (loaded.description, loaded.notes, loaded.tags) == ("more", "a note", {"k": "v"})
    exp.create_trial(variables={"x": 1})
    exp.variables = {"x": tb.Choice([1, 2, 3])}
    with pytest.raises(tb.ValidationError, match="has trials"):
        exp.save()


def test_delete_refuses_while_trials_exist() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    exp.create_trial("t1")
    with pytest.raises(tb.ValidationError, match="delete_all"):
        exp.delete()
    tb.Trial.load("t1").delete()
    exp.delete()
    with pytest.raises(tb.NotFoundError):
        tb.Experiment.load("e")


def test_delete_all_removes_exclusive_components_and_files_but_keeps_shared(tmp_path) -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    other = tb.Experiment.create("other", hypothesis="H")
    shared = tb.TrialComponent.create("dataset", kind="dataset")
    other.create_trial("o1").add_trial_component(shared)
    file = tmp_path / "weights.bin"
    file.write_bytes(b"w" * 100)
    with exp.run(variables={"a": 1}) as tracker:
        tracker.log_artifact(file)
        tracker.log_metric("loss", 1.0)
    trial = exp.list_trials()[0]
    trial.add_trial_component(shared)
    artifact = tracker.trial_component.output_artifacts["weights.bin"]
    stored = open_store().artifact_file(artifact)
    assert stored is not None and stored.read_bytes() == b"w" * 100
    with pytest.raises(tb.ValidationError, match="--force"):
        exp.delete_all()
    exp.delete_all(action="--force")
    with pytest.raises(tb.NotFoundError):
        tb.Trial.load(trial.trial_name)
    with pytest.raises(tb.NotFoundError):
        tb.TrialComponent.load(tracker.trial_component_name)
    assert not stored.exists()
    assert tb.TrialComponent.load("dataset").trial_names == ["o1"]


def test_delete_all_keeps_a_file_still_used_by_another_component(tmp_path) -> None:
    file = tmp_path / "same.txt"
    file.write_text("same content")
    keep = tb.Tracker.create("keep")
    keep.log_artifact(file)
    exp = tb.Experiment.create("e", hypothesis="H")
    with exp.run() as tracker:
        tracker.log_artifact(file)
    exp.delete_all(force=True)
    artifact = keep.trial_component.output_artifacts["same.txt"]
    assert open_store().artifact_file(artifact).read_text() == "same content"


def test_run_creates_trial_and_training_component_with_variables_as_parameters() -> None:
    exp = tb.Experiment.create("e", hypothesis="H", variables={"lr": [0.1, 0.2], "opt": ["a"]})
    with exp.run(variables={"lr": 0.1, "opt": "a"}) as tracker:
        assert tracker.trial_component.status == tb.TrialStatus.IN_PROGRESS
        tracker.log_metric("acc", 0.5)
    trial = exp.list_trials()[0]
    assert trial.variables == {"lr": 0.1, "opt": "a"}
    assert trial.status == tb.TrialStatus.COMPLETED
    (component,) = trial.list_trial_components()
    assert component.trial_component_name == f"{trial.trial_name}-training"
    assert (component.display_name, component.kind) == ("Training", "training")
    assert component.parameters == {"lr": 0.1, "opt": "a"}


def test_run_reattempts_failed_stopped_and_refuses_completed_unless_rerun() -> None:
    exp = tb.Experiment.create("e", hypothesis="H", variables={"x": [1, 2, 3]})
    with pytest.raises(RuntimeError), exp.run(variables={"x": 1}):
        raise RuntimeError("diverged")
    trial = exp.list_trials()[0]
    assert trial.status == tb.TrialStatus.FAILED
    with exp.run(variables={"x": 1}) as tracker:
        pass
    assert tracker.trial_component.display_name == "Training (attempt 2)"
    assert tb.Trial.load(trial.trial_name).status == tb.TrialStatus.COMPLETED
    assert len(exp.list_trials()) == 1
    with pytest.raises(tb.AlreadyExistsError, match="rerun=True") as error:
        exp.run(variables={"x": 1})
    assert error.value.existing.trial_name == trial.trial_name
    with exp.run(variables={"x": 1}, rerun=True):
        pass
    assert len(tb.Trial.load(trial.trial_name).list_trial_components()) == 3
    with pytest.raises(KeyboardInterrupt), exp.run(variables={"x": 2}):
        raise KeyboardInterrupt
    stopped = next(t for t in exp.list_trials() if t.variables == {"x": 2})
    assert stopped.status == tb.TrialStatus.STOPPED
    with exp.run(variables={"x": 2}):
        pass


def test_run_refuses_a_set_that_is_running() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    with exp.run(variables={"x": 1}), pytest.raises(tb.AlreadyExistsError, match="running"):
        exp.run(variables={"x": 1})


def test_run_checks_declared_variable_names() -> None:
    exp = tb.Experiment.create("e", hypothesis="H", variables={"x": [1], "y": [2]})
    with pytest.raises(tb.ValidationError, match="missing"):
        exp.run(variables={"x": 1})


def test_dataframe_one_row_per_trial_with_objective_and_summaries() -> None:
    exp = tb.Experiment.create(
        "e", objective={"metric": "acc", "goal": "maximize"}, variables={"lr": [0.1, 0.2]}
    )
    for lr in (0.1, 0.2):
        with exp.run(variables={"lr": lr}) as tracker:
            for step, acc in enumerate([0.2, 0.9, 0.5]):
                tracker.log_metric("acc", acc * lr * 10, step=step)
    frame = exp.dataframe()
    assert len(frame) == 2
    assert list(frame["lr"]) == [0.1, 0.2]
    assert list(frame["ObjectiveValue"]) == pytest.approx([0.9, 1.8])
    assert list(frame["acc - Last"]) == pytest.approx([0.5, 1.0])
    assert list(frame["acc - Count"]) == [3, 3]


def test_objective_last_and_minimize() -> None:
    exp = tb.Experiment.create("e", objective={"metric": "loss", "goal": "minimize"})
    last = tb.Experiment.create(
        "l", objective={"metric": "loss", "goal": "minimize", "summary": "last"}
    )
    for experiment in (exp, last):
        with experiment.run(variables={"a": 1}) as tracker:
            for value in [3.0, 1.0, 2.0]:
                tracker.log_metric("loss", value)
    assert exp.dataframe()["ObjectiveValue"][0] == 1.0
    assert last.dataframe()["ObjectiveValue"][0] == 2.0


def test_dataframe_clash_between_components_is_prefixed_by_display_name() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    trial = exp.create_trial("t")
    for display in ("Train", "Eval"):
        with tb.Tracker.create(display, display_name=display) as tracker:
            tracker.log_metric("loss", 1.0 if display == "Train" else 2.0)
            tracker.log_metric(f"only_{display}", 3.0)
        trial.add_trial_component(tracker)
    shared = tb.Tracker.create("shared", display_name="Shared")
    shared.log_metric("shared_metric", 1.0)
    shared.close()
    trial.add_trial_component(shared)
    tb.Experiment.create("e2", hypothesis="H").create_trial("t2").add_trial_component(shared)
    frame = exp.dataframe()
    assert frame["Train/loss - Last"][0] == 1.0
    assert frame["Eval/loss - Last"][0] == 2.0
    assert "loss - Last" not in frame.columns
    assert "only_Train - Max" in frame.columns
    assert not any(column.startswith("shared_metric") for column in frame.columns)
