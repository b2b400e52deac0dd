"""scikit-learn searches and estimators logged on the digits data scikit-learn ships."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import trialbook as tb
from trialbook.integrations.sklearn import log_estimator, log_search
from trialbook.store import open_store


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400], y[:400]


def _series(trial: tb.Trial, metric: str):
    tb.flush()
    (component,) = trial.list_trial_components()
    return open_store().metric_points(component.trial_component_name, metric)


def test_grid_search_candidates_become_trials_with_split_series(digits) -> None:
    X, y = digits
    search = GridSearchCV(
        SVC(),
        {"C": [0.1, 1.0, -1.0], "kernel": ["rbf", "linear"]},
        cv=3,
        return_train_score=True,
        error_score=np.nan,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # C=-1 fails on purpose: FitFailedWarning
        search.fit(X, y)
    exp = tb.Experiment.create(
        "digits-svc", hypothesis="h", objective={"metric": "mean_test_score", "goal": "maximize"}
    )
    trials = log_search(exp, search)
    assert len(trials) == 6
    exp.refresh()
    assert exp.variables == {
        "C": tb.Choice([0.1, 1.0, -1.0]),
        "kernel": tb.Choice(["rbf", "linear"]),
    }
    results = search.cv_results_
    for index, trial in enumerate(trials):
        assert trial.variables == results["params"][index]
        if trial.variables["C"] < 0:
            assert trial.status == tb.TrialStatus.FAILED
            assert (
                "fitting failed on 3 of 3 splits" in trial.list_trial_components()[0].status_message
            )
            continue
        assert trial.status == tb.TrialStatus.COMPLETED
        test = _series(trial, "test_score")
        assert test.steps == [0, 1, 2]
        assert test.values == pytest.approx(
            [results[f"split{i}_test_score"][index] for i in range(3)]
        )
        train = _series(trial, "train_score")
        assert train.values == pytest.approx(
            [results[f"split{i}_train_score"][index] for i in range(3)]
        )
        assert _series(trial, "mean_test_score").values == pytest.approx(
            [results["mean_test_score"][index]]
        )
        assert _series(trial, "rank_test_score").values == [results["rank_test_score"][index]]
        assert _series(trial, "std_test_score").values == pytest.approx(
            [results["std_test_score"][index]]
        )
        assert _series(trial, "mean_fit_time").values[0] > 0
    best = trials[search.best_index_]
    assert best.tags == {"sklearn.refit": "best"}
    assert all(trial.tags == {} for trial in trials if trial is not best)
    component = best.list_trial_components()[0]
    assert component.parameters["sklearn.estimator"] == "SVC"
    assert component.provenance["pid"] > 0
    frame = exp.dataframe()
    assert len(frame) == 6


def test_randomized_search_declares_ranges_and_multi_metric_names(digits) -> None:
    X, y = digits
    search = RandomizedSearchCV(
        LogisticRegression(max_iter=200),
        {"C": loguniform(1e-3, 1e2), "fit_intercept": [True, False]},
        n_iter=4,
        cv=2,
        scoring=["accuracy", "f1_macro"],
        refit="accuracy",
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    exp = tb.Experiment.create("digits-logreg", description="random search")
    trials = log_search(exp.experiment_name, search)
    exp.refresh()
    assert exp.variables["C"] == tb.Range(1e-3, 1e2, scale="log")
    assert set(exp.variables["fit_intercept"].values) == {True, False}
    assert len(trials) == 4
    metrics = set(trials[0].list_trial_components()[0].metrics)
    assert {"test_accuracy", "test_f1_macro", "mean_test_accuracy", "rank_test_f1_macro"} <= metrics
    assert "train_accuracy" not in metrics  # return_train_score=False
    assert sum(trial.tags.get("sklearn.refit") == "best" for trial in trials) == 1


def test_halving_search_logs_iterations_as_steps(digits) -> None:
    X, y = digits
    search = HalvingGridSearchCV(
        SVC(), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=2, factor=2, min_resources=100, random_state=0
    )
    search.fit(X, y)
    exp = tb.Experiment.create("digits-halving", description="successive halving")
    trials = log_search(exp, search)
    assert len(trials) == 4  # one trial per candidate, not per (candidate, iteration) row
    results = search.cv_results_
    (survivor,) = [trial for trial in trials if trial.tags.get("sklearn.refit") == "best"]
    assert survivor.variables == results["params"][search.best_index_]
    iterations = [
        int(results["iter"][row])
        for row, params in enumerate(results["params"])
        if params == survivor.variables
    ]
    series = _series(survivor, "mean_test_score")
    assert series.steps == iterations and len(iterations) >= 2
    assert _series(survivor, "n_resources").values == sorted(
        _series(survivor, "n_resources").values
    )
    assert _series(survivor, "test_score").steps == [0, 1]


def test_log_search_needs_a_fitted_search() -> None:
    exp = tb.Experiment.create("unfitted", description="d")
    with pytest.raises(tb.ValidationError, match="not fitted yet"):
        log_search(exp, GridSearchCV(SVC(), {"C": [1.0]}))
    with pytest.raises(tb.ValidationError, match="log_search takes a fitted"):
        log_search(exp, SVC())


def test_log_estimator_parameters_and_scores(digits) -> None:
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=300))
    model.fit(X_train, y_train)
    with tb.Tracker.create("logreg") as tracker:
        scores = log_estimator(tracker, model, X_test, y_test)
    component = tracker.trial_component
    assert component.parameters["estimator"] == "Pipeline"
    assert component.parameters["logisticregression__C"] == 0.5  # set_params' own names
    assert component.parameters["standardscaler"] == "StandardScaler"
    assert scores["test_accuracy"] == pytest.approx(model.score(X_test, y_test))
    assert set(component.metrics) == {"test_accuracy", "test_f1_macro", "test_log_loss"}
    regression = Ridge(alpha=2.0).fit(X_train, y_train)
    with tb.Tracker.create("ridge") as tracker:
        scores = log_estimator(tracker, regression, X_test, y_test)
        assert not math.isnan(scores["test_r2"]) and scores["test_mse"] > 0
        with pytest.raises(tb.ValidationError, match="both X_test and y_test"):
            log_estimator(tracker, regression, X_test)
    assert tracker.trial_component.parameters["alpha"] == 2.0
