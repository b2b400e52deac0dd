"""XGBoost: a training callback logging every evaluation metric per boosting round.

``xgb.train(params, dtrain, evals=[(dvalid, "valid")], callbacks=[TrialbookCallback(tracker)])``
(or ``XGBClassifier(callbacks=[...])``) logs ``<data>-<metric>`` (XGBoost's own names, e.g.
``valid-logloss``) at step = boosting round, and the booster's training parameters (as XGBoost
resolved them, defaults included) as the component's parameters. The tracker's own context
sets the status.
"""

from __future__ import annotations

import json
from typing import Any

import xgboost

from trialbook.integrations._convert import flat_parameters, number_or_text
from trialbook.tracker import Tracker

__all__ = ["TrialbookCallback", "booster_parameters"]


class TrialbookCallback(xgboost.callback.TrainingCallback):
    """Logs evaluation metrics per round and the booster's parameters to ``tracker``."""

    def __init__(self, tracker: Tracker, *, log_parameters: bool = True) -> None:
        super().__init__()
        self.tracker = tracker
        self.log_parameters = log_parameters

    def before_training(self, model: Any) -> Any:
        if self.log_parameters and isinstance(model, xgboost.Booster):
            self.tracker.log_parameters(booster_parameters(model))
        return model

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        for data_name, metrics in evals_log.items():
            for metric_name, history in metrics.items():
                latest = history[-1]
                if isinstance(latest, tuple):  # xgboost.cv: (mean, std)
                    self.tracker.log_metric(f"{data_name}-{metric_name}", latest[0], step=epoch)
                    self.tracker.log_metric(f"{data_name}-{metric_name}-std", latest[1], step=epoch)
                else:
                    self.tracker.log_metric(f"{data_name}-{metric_name}", latest, step=epoch)
        return False  # never asks to stop training


def booster_parameters(booster: xgboost.Booster) -> dict[str, Any]:
    """The training parameters of a booster's configuration, as numbers where they are."""
    learner = json.loads(booster.save_config())["learner"]
    booster_config = learner["gradient_booster"]
    chosen: dict[str, Any] = {
        **learner.get("learner_train_param", {}),
        **booster_config.get("tree_train_param", {}),
        **booster_config.get("linear_train_param", {}),
        **booster_config.get("gbtree_train_param", {}),
        "num_feature": learner.get("learner_model_param", {}).get("num_feature"),
        "num_class": learner.get("learner_model_param", {}).get("num_class"),
        "seed": learner.get("generic_param", {}).get("seed"),
        "eval_metric": ",".join(metric["name"] for metric in learner.get("metrics", [])),
    }
    return flat_parameters(
        {name: number_or_text(value) for name, value in chosen.items() if value not in (None, "")}
    )
