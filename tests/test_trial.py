from __future__ import annotations

import multiprocessing

import pytest

import trialbook as tb


def test_create_load_without_experiment_and_list_oldest_first() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    for name in ["t2", "t1", "t3"]:
        tb.Trial.create("e", name)
    assert tb.Trial.load("t1").experiment_name == "e"
    assert [t.trial_name for t in tb.Trial.list(experiment_name="e")] == ["t2", "t1", "t3"]
    assert [t.trial_name for t in exp.list_trials()] == ["t2", "t1", "t3"]
    assert tb.Trial.create("e").trial_name.startswith("e-")
    with pytest.raises(tb.NotFoundError, match=r"Trial\.list"):
        tb.Trial.load("nope")
    with pytest.raises(tb.NotFoundError):
        tb.Trial.create("missing-experiment", "t")


def test_trial_names_are_unique_in_the_store() -> None:
    tb.Experiment.create("a", hypothesis="H")
    tb.Experiment.create("b", hypothesis="H")
    tb.Trial.create("a", "t")
    with pytest.raises(tb.AlreadyExistsError) as error:
        tb.Trial.create("b", "t")
    assert error.value.existing.experiment_name == "a"


def test_a_variable_set_identifies_a_trial() -> None:
    tb.Experiment.create("e", hypothesis="H")
    tb.Experiment.create("other", hypothesis="H")
    first = tb.Trial.create("e", "t1", variables={"lr": 1, "opt": "adam"})
    with pytest.raises(tb.AlreadyExistsError) as error:
        tb.Trial.create("e", "t2", variables={"opt": "adam", "lr": 1.0})
    assert error.value.existing.name == "t1"
    assert "'t1'" in str(error.value) and "seed" in str(error.value)
    tb.Trial.create("e", "t3", variables={"lr": True, "opt": "adam"})  # bool is not int
    tb.Trial.create("other", "t4", variables={"lr": 1, "opt": "adam"})  # other experiment
    tb.Trial.create("e", "t5", variables={"lr": 1, "opt": "adam", "seed": 2})
    assert first.variables == {"lr": 1, "opt": "adam"}


def test_no_variable_set_is_exempt() -> None:
    tb.Experiment.create("e", hypothesis="H")
    tb.Trial.create("e", "a")
    tb.Trial.create("e", "b", variables={})
    tb.Trial.create("e", "c", variables=None)
    assert len(tb.Trial.list("e")) == 3


def test_variable_names_must_equal_the_declared_ones() -> None:
    tb.Experiment.create("e", hypothesis="H", variables={"lr": [0.1], "opt": ["a"]})
    with pytest.raises(tb.ValidationError, match="undeclared"):
        tb.Trial.create("e", variables={"lr": 0.1, "opt": "a", "extra": 1})
    with pytest.raises(tb.ValidationError, match="missing"):
        tb.Trial.create("e", variables={"lr": 0.1})
    tb.Trial.create("e", variables={"lr": 0.1, "opt": "a"})


def _race(experiment: str, queue: multiprocessing.Queue) -> None:
    import trialbook as tb

    try:
        trial = tb.Trial.create(experiment, variables={"lr": 0.5})
        queue.put(("created", trial.trial_name))
    except tb.AlreadyExistsError as error:
        queue.put(("exists", error.existing.name, str(error)))


def test_racing_processes_get_already_exists_naming_the_existing_trial() -> None:
    tb.Experiment.create("race", hypothesis="H")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_race, args=("race", queue)) for _ in range(4)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(60)
    created = [r for r in results if r[0] == "created"]
    assert len(created) == 1
    for result in results:
        if result[0] == "exists":
            assert result[1] == created[0][1]
            assert "seed" in result[2]
    assert len(tb.Trial.list("race")) == 1


def test_components_add_remove_list_and_status_derivation() -> None:
    tb.Experiment.create("e", hypothesis="H")
    trial = tb.Trial.create("e", "t")
    assert trial.status is None
    dataset = tb.TrialComponent.create("data", kind="dataset")
    trial.add_trial_component(dataset)
    trial.add_trial_component("data")  # idempotent
    assert trial.status is None
    with tb.Tracker.create("train") as tracker:
        trial.add_trial_component(tracker)
        assert tb.Trial.load("t").status == tb.TrialStatus.IN_PROGRESS
    assert tb.Trial.load("t").status == tb.TrialStatus.COMPLETED
    with pytest.raises(ValueError), tb.Tracker.create("train2") as second:
        trial.add_trial_component(second)
        raise ValueError("boom")
    assert tb.Trial.load("t").status == tb.TrialStatus.FAILED  # most recently started
    assert {c.trial_component_name for c in trial.list_trial_components()} == {
        "data",
        tracker.trial_component_name,
        second.trial_component_name,
    }
    trial.remove_trial_component(second.trial_component_name)
    assert tb.Trial.load("t").status == tb.TrialStatus.COMPLETED
    with pytest.raises(tb.ValidationError, match="expected a Tracker"):
        trial.add_trial_component(42)


def test_trial_delete_needs_no_components_or_force() -> None:
    tb.Experiment.create("e", hypothesis="H")
    tb.Experiment.create("f", hypothesis="H")
    trial = tb.Trial.create("e", "t")
    own = tb.TrialComponent.create("own")
    shared = tb.TrialComponent.create("shared")
    trial.add_trial_component(own)
    trial.add_trial_component(shared)
    tb.Trial.create("f", "u").add_trial_component(shared)
    with pytest.raises(tb.ValidationError, match="force=True"):
        trial.delete()
    trial.delete(force=True)
    with pytest.raises(tb.NotFoundError):
        tb.TrialComponent.load("own")
    assert tb.TrialComponent.load("shared").trial_names == ["u"]
    empty = tb.Trial.create("e", "empty")
    empty.delete()


def test_save_tags_and_notes() -> None:
    tb.Experiment.create("e", hypothesis="H")
    trial = tb.Trial.create("e", "t", tags={"a": "1"})
    trial.notes = "looks good"
    trial.tags["b"] = "2"
    trial.save()
    loaded = tb.Trial.load("t")
    assert loaded.notes == "looks good" and loaded.tags == {"a": "1", "b": "2"}
    assert "t" in repr(loaded)
