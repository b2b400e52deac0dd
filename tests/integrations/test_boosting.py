"""XGBoost and LightGBM callbacks on the breast-cancer data scikit-learn ships."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import trialbook as tb
from trialbook.integrations.lightgbm import TrialbookCallback as LightGBMCallback
from trialbook.integrations.xgboost import TrialbookCallback as XGBoostCallback
from trialbook.store import open_store


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, random_state=0)


def _series(tracker: tb.Tracker, metric: str):
    tb.flush()
    return open_store().metric_points(tracker.trial_component_name, metric)


def test_xgboost_logs_each_round_and_the_booster_parameters(cancer) -> None:
    X_train, X_valid, y_train, y_valid = cancer
    train, valid = xgb.DMatrix(X_train, label=y_train), xgb.DMatrix(X_valid, label=y_valid)
    history: dict = {}
    exp = tb.Experiment.create("xgb", hypothesis="h", variables={"max_depth": [2, 3]})
    with exp.run(variables={"max_depth": 3}) as tracker:
        xgb.train(
            {
                "max_depth": 3,
                "eta": 0.3,
                "objective": "binary:logistic",
                "eval_metric": ["logloss", "auc"],
            },
            train,
            num_boost_round=5,
            evals=[(train, "train"), (valid, "valid")],
            evals_result=history,
            callbacks=[XGBoostCallback(tracker)],
            verbose_eval=False,
        )
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    assert set(component.metrics) == {"train-logloss", "train-auc", "valid-logloss", "valid-auc"}
    logloss = _series(tracker, "valid-logloss")
    assert logloss.steps == [0, 1, 2, 3, 4]
    assert logloss.values == pytest.approx(history["valid"]["logloss"])
    parameters = component.parameters
    assert parameters["max_depth"] == 3 and parameters["eta"] == pytest.approx(0.3)
    assert parameters["objective"] == "binary:logistic"
    assert parameters["eval_metric"] == "logloss,auc"
    assert parameters["num_feature"] == 30


def test_xgboost_sklearn_api_failure_is_failed(cancer) -> None:
    X_train, X_valid, y_train, y_valid = cancer

    class Boom(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if epoch == 2:
                raise RuntimeError("diverged")
            return False

    with pytest.raises(RuntimeError, match="diverged"), tb.Tracker.create("xgb-fail") as tracker:
        model = xgb.XGBClassifier(
            n_estimators=5, max_depth=2, callbacks=[XGBoostCallback(tracker), Boom()]
        )
        model.fit(X_train, y_train, eval_set=[(X_valid, y_valid)], verbose=False)
    assert tracker.trial_component.status == tb.TrialStatus.FAILED
    assert _series(tracker, "validation_0-logloss").steps == [0, 1, 2]


def test_lightgbm_logs_each_round_and_parameters(cancer) -> None:
    X_train, X_valid, y_train, y_valid = cancer
    train = lgb.Dataset(X_train, label=y_train)
    valid = lgb.Dataset(X_valid, label=y_valid, reference=train)
    recorded: dict = {}
    with tb.Tracker.create("lgb") as tracker:
        lgb.train(
            {
                "objective": "binary",
                "metric": ["binary_logloss", "auc"],
                "num_leaves": 7,
                "verbose": -1,
            },
            train,
            num_boost_round=6,
            valid_sets=[train, valid],
            valid_names=["train", "valid"],
            callbacks=[LightGBMCallback(tracker), lgb.record_evaluation(recorded)],
        )
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    assert {"train-binary_logloss", "valid-auc", "valid-binary_logloss"} <= set(component.metrics)
    series = _series(tracker, "valid-binary_logloss")
    assert series.steps == list(range(6))
    assert series.values == pytest.approx(recorded["valid"]["binary_logloss"])
    assert component.parameters["num_leaves"] == 7
    assert component.parameters["num_boost_round"] == 6
    assert component.parameters["objective"] == "binary"


def test_lightgbm_cv_and_interrupt(cancer) -> None:
    X_train, _, y_train, _ = cancer

    def interrupt(env):
        if env.iteration == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), tb.Tracker.create("lgb-cv") as tracker:
        lgb.cv(
            {"objective": "binary", "metric": "auc", "num_leaves": 5, "verbose": -1},
            lgb.Dataset(X_train, label=y_train),
            num_boost_round=10,
            nfold=3,
            callbacks=[LightGBMCallback(tracker), interrupt],
        )
    assert tracker.trial_component.status == tb.TrialStatus.STOPPED
    mean = _series(tracker, "valid-auc")
    assert mean.steps == [0, 1, 2, 3]  # our callback (order 30) runs before the plain one
    assert all(0.5 < value <= 1 for value in mean.values)
    assert np.all(np.array(_series(tracker, "valid-auc-std").values) >= 0)
