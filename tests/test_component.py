from __future__ import annotations

import numpy as np
import pytest

import trialbook as tb


def test_component_on_its_own_and_in_many_trials() -> None:
    data = tb.TrialComponent.create("cifar10", display_name="CIFAR-10", kind="dataset")
    assert data.trial_names == [] and data.status is None
    assert [c.trial_component_name for c in tb.TrialComponent.list()] == ["cifar10"]
    tb.Experiment.create("e", hypothesis="H")
    for name in ("t1", "t2", "t3"):
        tb.Trial.create("e", name, trial_components=[data])
    loaded = tb.TrialComponent.load("cifar10")
    assert loaded.trial_names == ["t1", "t2", "t3"]
    assert [t.trial_name for t in loaded.list_trials()] == ["t1", "t2", "t3"]
    assert [c.trial_component_name for c in tb.TrialComponent.list(trial_name="t2")] == ["cifar10"]
    assert len(tb.TrialComponent.list(experiment_name="e")) == 1


def test_a_component_is_never_associated_directly_with_an_experiment() -> None:
    exp = tb.Experiment.create("e", hypothesis="H")
    assert not hasattr(exp, "add_trial_component")
    component = tb.TrialComponent.create("c")
    with pytest.raises(tb.NotFoundError):  # an experiment's name is not a trial
        tb.Trial.load("e").add_trial_component(component)


def test_unassigned_components_are_listed_by_the_store() -> None:
    from trialbook.store import open_store

    tb.TrialComponent.create("alone")
    tb.Experiment.create("e", hypothesis="H")
    tb.Trial.create("e", "t", trial_components=[tb.TrialComponent.create("used")])
    assert [c.name for c in open_store().list_components(unassigned=True)] == ["alone"]


def test_kind_is_validated() -> None:
    with pytest.raises(tb.ValidationError, match="training"):
        tb.TrialComponent.create("x", kind="job")
    for kind in ("training", "dataset", "parameters", "model", "evaluation", "metadata", "other"):
        assert tb.TrialComponent.create(kind, kind=kind).kind == kind


def test_delete_refuses_while_in_a_trial() -> None:
    tb.Experiment.create("e", hypothesis="H")
    component = tb.TrialComponent.create("c")
    tb.Trial.create("e", "t", trial_components=[component])
    with pytest.raises(tb.ValidationError, match="force_disassociate"):
        component.delete()
    component.delete(force_disassociate=True)
    assert tb.Trial.load("t").list_trial_components() == []
    with pytest.raises(tb.NotFoundError):
        tb.TrialComponent.load("c")


def test_duplicate_component_names() -> None:
    tb.TrialComponent.create("c")
    with pytest.raises(tb.AlreadyExistsError) as error:
        tb.TrialComponent.create("c")
    assert error.value.existing.name == "c"


def test_parameters_keep_types_and_save_round_trips() -> None:
    tracker = tb.Tracker.create("p")
    tracker.log_parameters(
        {
            "flag": True,
            "n": 3,
            "lr": 0.5,
            "name": "adam",
            "np_int": np.int64(7),
            "np_float": np.float32(0.25),
            "np_bool": np.bool_(False),
            "nan": float("nan"),
        }
    )
    parameters = tracker.trial_component.parameters
    assert parameters["flag"] is True and parameters["np_bool"] is False
    assert parameters["n"] == 3 and isinstance(parameters["n"], int)
    assert parameters["np_int"] == 7 and isinstance(parameters["np_int"], int)
    assert parameters["np_float"] == 0.25 and parameters["name"] == "adam"
    assert parameters["nan"] != parameters["nan"]
    component = tb.TrialComponent.load(tracker.trial_component_name)
    component.parameters = {"only": 1}
    component.display_name = "Renamed"
    component.save()
    reloaded = tb.TrialComponent.load(tracker.trial_component_name)
    assert reloaded.parameters == {"only": 1} and reloaded.display_name == "Renamed"


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, None, object(), 2**70])
def test_unsupported_parameter_values(value: object) -> None:
    tracker = tb.Tracker.create("p")
    with pytest.raises(tb.ValidationError, match="parameter 'x'"):
        tracker.log_parameter("x", value)


def test_repr_is_useful() -> None:
    component = tb.TrialComponent.create("c", kind="model")
    assert "'c'" in repr(component) and "model" in repr(component)
