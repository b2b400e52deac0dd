"""scikit-learn: a fitted hyperparameter search is an experiment; each candidate is a trial.

``log_search(exp, search)`` reads a fitted ``GridSearchCV``, ``RandomizedSearchCV``,
``HalvingGridSearchCV`` or ``HalvingRandomSearchCV``: each candidate becomes the trial of its
parameters, with the per-split scores as ``test_<scorer>`` / ``train_<scorer>`` series
(step = split index), ``mean_``, ``std_`` and ``rank_test_<scorer>``, and the fit and score
times. Successive halving evaluates a candidate once per iteration it survives: its mean, std
and rank are series over those iterations (step = iteration) and its splits are those of its
last one. The refit best candidate's trial is tagged ``sklearn.refit = best``. A candidate
whose fit failed on every split (scores NaN) is Failed. ``log_estimator(tracker, estimator)``
logs ``get_params()`` and, given test data, the test scores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn import metrics as sk_metrics
from sklearn.base import BaseEstimator, is_classifier, is_regressor

from trialbook.errors import ValidationError
from trialbook.experiment import Experiment
from trialbook.integrations._convert import flat_parameters, variable_value
from trialbook.status import TrialStatus
from trialbook.tracker import Tracker
from trialbook.trial import Trial
from trialbook.variables import Choice, Range, Variable

__all__ = ["log_estimator", "log_search"]

_SCORER = re.compile(r"^mean_test_(.+)$")


def log_search(experiment: Experiment | str, search: Any) -> list[Trial]:
    """Log every candidate of a fitted search as a trial of ``experiment``; returns them in
    candidate order. The variable space is declared from the search when the experiment
    has none (grid values → ``Choice``; scipy distributions → ``Range``)."""
    exp = experiment if isinstance(experiment, Experiment) else Experiment.load(experiment)
    if not hasattr(search, "param_grid") and not hasattr(search, "param_distributions"):
        raise ValidationError(
            f"log_search takes a fitted GridSearchCV, RandomizedSearchCV or Halving*SearchCV, "
            f"got {type(search).__name__}"
        )
    results = getattr(search, "cv_results_", None)
    if results is None:
        raise ValidationError(f"{type(search).__name__} is not fitted yet: call search.fit(X, y)")
    candidates = _candidates(results)
    names = sorted({name for variables, _ in candidates for name in variables})
    candidates = [
        ({name: variables.get(name) for name in names}, rows) for variables, rows in candidates
    ]
    if not exp.variables and not exp.list_trials():
        exp.variables = _space(search, names, [variables for variables, _ in candidates])
        exp.save()
    scorers = [match.group(1) for key in results if (match := _SCORER.match(key))]
    best_rows = _best_rows(search)
    trials = []
    for index, (variables, rows) in enumerate(candidates):
        with exp.run(variables=variables, rerun=True) as tracker:
            failed = _log_candidate(tracker, search, results, rows, scorers)
            tracker.log_parameters(
                {
                    "sklearn.search": type(search).__name__,
                    "sklearn.estimator": type(search.estimator).__name__,
                    "sklearn.candidate": index,
                    "sklearn.n_splits": int(search.n_splits_),
                }
            )
            if failed:
                tracker.close(
                    status=TrialStatus.FAILED,
                    status_message=f"fitting failed on {failed} of {search.n_splits_} splits "
                    "(score NaN); see the search's FitFailedWarning",
                )
        trial = Trial.load(_trial_of(tracker))
        if best_rows & set(rows):
            trial.tags["sklearn.refit"] = "best"
            trial.save()
        trials.append(trial)
    return trials


def _candidates(results: Mapping[str, Any]) -> list[tuple[dict[str, Any], list[int]]]:
    """Distinct parameter sets in order of first appearance, with their result rows."""
    grouped: dict[tuple[tuple[str, Any], ...], tuple[dict[str, Any], list[int]]] = {}
    for row, params in enumerate(results["params"]):
        variables = {name: variable_value(value) for name, value in params.items()}
        key = tuple(sorted(variables.items(), key=lambda item: item[0]))
        grouped.setdefault(key, (variables, []))[1].append(row)
    return list(grouped.values())


def _best_rows(search: Any) -> set[int]:
    best = getattr(search, "best_index_", None) if search.refit else None
    return {int(best)} if best is not None else set()


def _log_candidate(
    tracker: Tracker,
    search: Any,
    results: Mapping[str, Any],
    rows: list[int],
    scorers: list[str],
) -> int:
    """Log one candidate's scores and times; returns how many of its splits failed."""
    last = rows[-1]
    iterations = results.get("iter")
    for row in rows:
        step = int(iterations[row]) if iterations is not None else 0
        for scorer in scorers:
            for stat in ("mean", "std", "rank"):
                key = f"{stat}_test_{scorer}"
                tracker.log_metric(key, results[key][row], step=step)
            if f"mean_train_{scorer}" in results:
                tracker.log_metric(
                    f"mean_train_{scorer}", results[f"mean_train_{scorer}"][row], step=step
                )
        for key in ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"):
            tracker.log_metric(key, results[key][row], step=step)
        if "n_resources" in results:
            tracker.log_metric("n_resources", results["n_resources"][row], step=step)
    failed = 0
    for split in range(int(search.n_splits_)):
        split_failed = False
        for scorer in scorers:
            for part in ("test", "train"):
                key = f"split{split}_{part}_{scorer}"
                if key in results:
                    value = float(results[key][last])
                    tracker.log_metric(f"{part}_{scorer}", value, step=split)
                    split_failed |= part == "test" and math.isnan(value)
        failed += split_failed
    return failed if failed == int(search.n_splits_) else 0


def _trial_of(tracker: Tracker) -> str:
    (trial,) = tracker.trial_component.list_trials()
    return trial.trial_name


def _space(search: Any, names: list[str], candidates: list[dict[str, Any]]) -> dict[str, Variable]:
    """A variable per parameter: a scipy distribution of a randomized search → ``Range``;
    otherwise the values its candidates took → ``Choice`` (None where a grid lacks it)."""
    distributions = getattr(search, "param_distributions", None)
    declared = distributions if isinstance(distributions, Mapping) else {}
    space: dict[str, Variable] = {}
    for name in names:
        as_range = _range_of(declared.get(name))
        if as_range is not None:
            space[name] = as_range
        else:
            space[name] = Choice(dict.fromkeys(candidate[name] for candidate in candidates))
    return space


def _range_of(distribution: Any) -> Range | None:
    """``Range`` of a frozen scipy distribution with finite support (uniform, loguniform,
    randint), else None."""
    support = getattr(distribution, "support", None)
    family = getattr(getattr(distribution, "dist", None), "name", None)
    if not callable(support) or family is None:
        return None
    low, high = (float(bound) for bound in support())
    if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
        return None
    if family == "randint":
        return Range(int(low), int(high), integer=True)
    scale = "log" if family in ("loguniform", "reciprocal") else "linear"
    return Range(low, high, scale=scale)


def log_estimator(
    tracker: Tracker, estimator: BaseEstimator, X_test: Any = None, y_test: Any = None
) -> dict[str, float]:
    """Log ``estimator.get_params()`` as parameters (nested estimators by their class name)
    and, given ``X_test`` and ``y_test``, its test scores as metrics; returns the scores."""
    params = {
        name: type(value).__name__ if isinstance(value, BaseEstimator) else value
        for name, value in estimator.get_params(deep=True).items()
        if name != "steps" and name != "transformers"
    }
    tracker.log_parameters({"estimator": type(estimator).__name__, **flat_parameters(params)})
    if X_test is None or y_test is None:
        if (X_test is None) != (y_test is None):
            raise ValidationError("give both X_test and y_test to log test scores, or neither")
        return {}
    scores = _test_scores(estimator, X_test, y_test)
    tracker.log_metrics(scores)
    return scores


def _test_scores(estimator: BaseEstimator, X_test: Any, y_test: Any) -> dict[str, float]:
    if is_classifier(estimator):
        predicted = estimator.predict(X_test)
        scores = {
            "test_accuracy": sk_metrics.accuracy_score(y_test, predicted),
            "test_f1_macro": sk_metrics.f1_score(y_test, predicted, average="macro"),
        }
        if hasattr(estimator, "predict_proba"):
            probabilities = estimator.predict_proba(X_test)
            scores["test_log_loss"] = sk_metrics.log_loss(
                y_test, probabilities, labels=estimator.classes_
            )
        return scores
    if is_regressor(estimator):
        predicted = estimator.predict(X_test)
        return {
            "test_r2": sk_metrics.r2_score(y_test, predicted),
            "test_mse": sk_metrics.mean_squared_error(y_test, predicted),
            "test_mae": sk_metrics.mean_absolute_error(y_test, predicted),
        }
    return {"test_score": float(estimator.score(X_test, y_test))}
