"""LightGBM: a callback logging every evaluation metric per boosting round.

``lgb.train(params, train_set, valid_sets=[valid], callbacks=[TrialbookCallback(tracker)])``
(or ``LGBMClassifier().fit(..., callbacks=[...])``) logs ``<data>-<metric>`` (e.g.
``valid_0-binary_logloss``) at step = boosting round and the training parameters (as given
to LightGBM, with the number of rounds) as the component's parameters; with ``lgb.cv`` the
mean and ``-std`` of each metric. The tracker's own context sets the status.
"""

from __future__ import annotations

import lightgbm

from trialbook.integrations._convert import flat_parameters
from trialbook.tracker import Tracker

__all__ = ["TrialbookCallback"]


class TrialbookCallback:
    """A LightGBM callback: ``callbacks=[TrialbookCallback(tracker)]``."""

    order = 30  # after LightGBM's own recording and logging callbacks
    before_iteration = False

    def __init__(self, tracker: Tracker, *, log_parameters: bool = True) -> None:
        self.tracker = tracker
        self.log_parameters = log_parameters
        self._parameters_logged = False

    def __call__(self, env: lightgbm.callback.CallbackEnv) -> None:
        if self.log_parameters and not self._parameters_logged:
            self._parameters_logged = True
            self.tracker.log_parameters(
                flat_parameters(
                    {**env.params, "num_boost_round": env.end_iteration - env.begin_iteration}
                )
            )
        for result in env.evaluation_result_list or ():
            data_name, metric_name, value = result[0], result[1], result[2]
            name = _metric_name(data_name, metric_name)
            self.tracker.log_metric(name, value, step=env.iteration)
            if len(result) > 4:  # lgb.cv: (..., std)
                self.tracker.log_metric(f"{name}-std", result[4], step=env.iteration)


def _metric_name(data_name: str, metric_name: str) -> str:
    if data_name == "cv_agg":  # lgb.cv names a metric "<valid set> <metric>"
        return metric_name.replace(" ", "-")
    return f"{data_name}-{metric_name}"
