"""The query from Python: exp.search, trialbook.search_trials and ExperimentAnalytics(query=)."""

from __future__ import annotations

import pytest

import trialbook as tb
from trialbook.errors import QueryError


@pytest.fixture
def experiments():
    sweep = tb.Experiment.create(
        "sweep",
        hypothesis="A smaller learning rate ends lower",
        objective={"metric": "loss", "goal": "minimize"},
        variables={"lr": [0.1, 0.01, 0.001]},
    )
    for variables in sweep.grid():
        with sweep.run(variables=variables) as tracker:
            tracker.log_parameter("optimizer", "adam")
            for step in range(3):
                tracker.log_metric("loss", variables["lr"] * 10 - step * 0.1)
    baseline = tb.Experiment.create(
        "baseline",
        hypothesis="Momentum helps",
        objective={"metric": "accuracy", "goal": "maximize"},
        variables={"momentum": [0.0, 0.9]},
    )
    for variables in baseline.grid():
        with baseline.run(variables=variables) as tracker:
            tracker.log_metric("accuracy", 0.6 + variables["momentum"] / 3)
    return sweep, baseline


def test_exp_search_returns_the_matching_trials_oldest_first(experiments):
    sweep, _ = experiments
    found = sweep.search("lr < 0.05")
    assert [trial.variables for trial in found] == [{"lr": 0.01}, {"lr": 0.001}]
    assert all(isinstance(trial, tb.Trial) for trial in found)
    assert [t.trial_name for t in sweep.search("metrics.loss.min > 0.5")] == [
        sweep.list_trials()[0].trial_name
    ]
    assert sweep.search('status == "Completed" and optimizer == "adam"') == sweep.list_trials()
    assert sweep.search("lr > 1") == []


def test_exp_search_sees_points_still_in_the_writer_s_buffer(experiments):
    sweep, _ = experiments
    with sweep.run(variables={"lr": 0.5}) as tracker:
        tracker.log_metric("loss", 99.0)
        assert [t.variables for t in sweep.search("metrics.loss.max > 50")] == [{"lr": 0.5}]


def test_exp_search_stays_inside_its_experiment(experiments):
    sweep, baseline = experiments
    with pytest.raises(QueryError, match="unknown name 'momentum'"):
        sweep.search("momentum > 0")
    assert len(baseline.search("momentum > 0")) == 1


def test_a_typo_is_a_validation_error_that_points_at_it(experiments):
    sweep, _ = experiments
    with pytest.raises(tb.ValidationError) as caught:
        sweep.search("lrr < 0.05")
    assert str(caught.value).splitlines() == [
        "unknown name 'lrr': did you mean 'lr'? (at column 1)",
        "  lrr < 0.05",
        "  ^^^",
    ]
    with pytest.raises(tb.ValidationError, match="query must be a string"):
        sweep.search(None)  # type: ignore[arg-type]


def test_search_trials_spans_experiments_with_the_dataframe_s_columns(experiments):
    sweep, baseline = experiments
    frame = tb.search_trials("objective > 0.5")
    assert list(frame["TrialName"]) == [
        *[t.trial_name for t in sweep.search("objective > 0.5")],
        *[t.trial_name for t in baseline.search("objective > 0.5")],
    ]
    assert list(frame["Experiment"]) == ["sweep", "baseline", "baseline"]
    own = sweep.dataframe()
    assert set(own.columns) | {"Experiment"} <= set(frame.columns)
    assert list(frame.columns[:2]) == ["TrialName", "Experiment"]
    first = frame.iloc[0]
    assert first["lr"] == 0.1 and first["loss - Min"] == pytest.approx(0.8)
    assert first["ObjectiveValue"] == pytest.approx(0.8)  # its experiment's objective
    assert frame.iloc[2]["ObjectiveValue"] == pytest.approx(0.9)


def test_search_trials_without_a_query_is_every_trial(experiments):
    assert len(tb.search_trials()) == 5
    assert len(tb.search_trials('experiment == "baseline"')) == 2
    assert tb.search_trials("lr > 5").empty
    with pytest.raises(QueryError, match="did you mean 'momentum'"):
        tb.search_trials("momentun > 0")


def test_experiment_analytics_keeps_the_components_of_matching_trials(experiments):
    sweep, _ = experiments
    everything = tb.ExperimentAnalytics("sweep").dataframe()
    assert len(everything) == 3
    chosen = tb.ExperimentAnalytics("sweep", query="lr <= 0.01").dataframe()
    assert sorted(chosen["lr"]) == [0.001, 0.01]
    names = {t.trial_name for t in sweep.search("lr <= 0.01")}
    assert {trial for trials in chosen["Trials"] for trial in trials} == names
    with pytest.raises(QueryError, match="did you mean 'lr'"):
        tb.ExperimentAnalytics("sweep", query="l_r < 1")
