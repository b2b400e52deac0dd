"""Optuna studies logged as experiments: trials, variable spaces, series, statuses, times."""

from __future__ import annotations

import math

import optuna
import pytest

import trialbook as tb
from trialbook.integrations.optuna import TrialbookCallback, space_from_distributions
from trialbook.store import open_store

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    layers = trial.suggest_int("layers", 1, 4)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    loss = (x - 2) ** 2 + (layers - 2) ** 2 + (0.0 if optimizer == "adam" else 1.0)
    for step in range(3):
        trial.report(loss + (2 - step) + math.log10(lr) ** 2 * 0, step)
    if trial.number == 2:
        raise optuna.TrialPruned()
    if trial.number == 3:
        raise ValueError("diverged")
    return loss


def _points(component_name: str, metric: str):
    tb.flush()
    return open_store().metric_points(component_name, metric)


def test_callback_logs_each_optuna_trial_as_a_trial() -> None:
    exp = tb.Experiment.create(
        "optuna-cb", hypothesis="x near 2 wins", objective={"metric": "loss", "goal": "minimize"}
    )
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(0))
    callback = TrialbookCallback(exp)
    study.optimize(objective, n_trials=6, callbacks=[callback], catch=(ValueError,))

    exp.refresh()
    assert exp.variables == {
        "x": tb.Range(-10, 10),
        "lr": tb.Range(1e-4, 1e-1, scale="log"),
        "layers": tb.Range(1, 4, integer=True, num=4),
        "optimizer": tb.Choice(["adam", "sgd"]),
    }
    trials = {trial.variables["x"]: trial for trial in exp.list_trials()}
    assert len(trials) == 6
    for optuna_trial in study.trials:
        trial = trials[optuna_trial.params["x"]]
        assert trial.variables == optuna_trial.params
        (component,) = trial.list_trial_components()
        assert component.trial_component_name == callback.logged[optuna_trial.number]
        assert component.parameters["optuna.trial_number"] == optuna_trial.number
        assert component.parameters["optuna.study_name"] == study.study_name
        assert component.parameters["layers"] == optuna_trial.params["layers"]
        assert component.provenance["pid"] > 0
        series = _points(component.trial_component_name, "loss")
        reported = [optuna_trial.intermediate_values[step] for step in range(3)]
        if optuna_trial.state == optuna.trial.TrialState.COMPLETE:
            assert component.status == tb.TrialStatus.COMPLETED
            assert series.steps == [0, 1, 2, 3]
            assert series.values == [*reported, optuna_trial.value]
        else:
            assert series.steps == [0, 1, 2] and series.values == reported
        assert component.start_time.timestamp() == pytest.approx(
            optuna_trial.datetime_start.timestamp(), abs=1e-3
        )
        assert component.end_time.timestamp() == pytest.approx(
            optuna_trial.datetime_complete.timestamp(), abs=1e-3
        )
    pruned = trials[study.trials[2].params["x"]]
    assert pruned.status == tb.TrialStatus.STOPPED
    assert pruned.list_trial_components()[0].status_message == "Pruned by Optuna after step 2"
    failed = trials[study.trials[3].params["x"]]
    assert failed.status == tb.TrialStatus.FAILED
    assert failed.list_trial_components()[0].status_message.startswith("The Optuna trial failed")
    frame = exp.dataframe()
    assert len(frame) == 6


def test_experiment_optimize_sets_the_direction_and_logs_the_trial_that_ends_it() -> None:
    exp = tb.Experiment.create(
        "optuna-opt", hypothesis="h", objective={"metric": "acc", "goal": "maximize"}
    )

    def maximize(trial: optuna.Trial) -> float:
        value = trial.suggest_categorical("depth", [1, 2, 3, 4, 5, 6, 7, 8])
        if trial.number == 4:
            raise RuntimeError("out of memory")
        return value

    with pytest.raises(RuntimeError, match="out of memory"):
        exp.optimize(
            maximize,
            n_trials=10,
            sampler=optuna.samplers.GridSampler({"depth": [1, 2, 3, 4, 5, 6, 7, 8]}),
        )
    trials = exp.list_trials()
    assert len(trials) == 5  # the failing trial is logged although Optuna called no callback
    statuses = sorted(trial.status.value for trial in trials)
    assert statuses == ["Completed"] * 4 + ["Failed"]
    (failed,) = [trial for trial in trials if trial.status == tb.TrialStatus.FAILED]
    assert failed.list_trial_components()[0].status_message == "RuntimeError: out of memory"
    assert exp.variables == {"depth": tb.Choice([1, 2, 3, 4, 5, 6, 7, 8])}

    study = exp.optimize(
        lambda trial: trial.suggest_categorical("depth", [1, 2, 3, 4, 5, 6, 7, 8]), n_trials=3
    )
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    with pytest.raises(tb.ValidationError, match="contradicts the objective"):
        exp.optimize(maximize, n_trials=1, direction="minimize")


def test_interrupt_is_stopped_and_repeated_sets_are_new_attempts() -> None:
    exp = tb.Experiment.create("optuna-int", description="d")

    def interrupted(trial: optuna.Trial) -> float:
        trial.suggest_categorical("unit", ["a"])
        if trial.number == 2:
            raise KeyboardInterrupt
        return 1.0

    with pytest.raises(KeyboardInterrupt):
        exp.optimize(interrupted, n_trials=5, direction="minimize")
    (trial,) = exp.list_trials()  # one variable set, three attempts
    components = trial.list_trial_components()
    assert [c.status.value for c in components] == ["Completed", "Completed", "Stopped"]
    assert components[0].metrics["value"].count == 1
    assert trial.status == tb.TrialStatus.STOPPED


def test_space_mapping_and_a_conditional_space_warns() -> None:
    from optuna.distributions import FloatDistribution, IntDistribution

    assert space_from_distributions(
        {"f": FloatDistribution(0, 1, step=0.25), "i": IntDistribution(2, 64, log=True)}
    ) == {"f": tb.Range(0, 1, num=5), "i": tb.Range(2, 64, scale="log", integer=True)}
    exp = tb.Experiment.create("optuna-cond", description="d")

    def conditional(trial: optuna.Trial) -> float:
        if trial.number == 0:
            return trial.suggest_float("a", 0, 1)
        return trial.suggest_float("b", 0, 1)

    study = optuna.create_study()
    with pytest.warns(UserWarning, match="conditional"):
        study.optimize(conditional, n_trials=2, callbacks=[TrialbookCallback(exp)])
    assert len(exp.list_trials()) == 1
