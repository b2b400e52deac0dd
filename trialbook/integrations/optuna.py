"""Optuna: a study is an experiment over a variable space; each Optuna trial is a trial.

``study.optimize(objective, callbacks=[TrialbookCallback(exp)])`` logs every finished Optuna
trial as the trial of its suggested parameters (a repeated set becomes a new attempt of the
same trial): the values given to ``trial.report`` are the objective metric's series at their
steps, the final value follows one step after the last report, pruned trials are Stopped and
failed ones Failed, with Optuna's own start and end times. The first logged trial declares the
experiment's variable space from the study's distributions when the experiment has none.
``exp.optimize(objective, n_trials=...)`` (or ``optimize(exp, ...)`` here) creates the study
with the direction of the experiment's objective and also logs a trial whose exception or
interrupt ends the study.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState

from trialbook.component import TrialComponent
from trialbook.errors import ValidationError
from trialbook.experiment import Experiment
from trialbook.integrations._convert import flat_parameters
from trialbook.status import TrialStatus
from trialbook.variables import Choice, Range, Variable

__all__ = ["TrialbookCallback", "optimize", "space_from_distributions"]

_FINISHED_STATUS = {
    TrialState.COMPLETE: TrialStatus.COMPLETED,
    TrialState.PRUNED: TrialStatus.STOPPED,
    TrialState.FAIL: TrialStatus.FAILED,
}


class TrialbookCallback:
    """Pass to ``study.optimize(..., callbacks=[TrialbookCallback(experiment)])``.

    ``experiment`` is an ``Experiment`` or its name. The objective metric is named after the
    experiment's objective (``"value"`` without one; ``value_0``, ``value_1``… or the study's
    ``metric_names`` for several objectives).
    """

    def __init__(self, experiment: Experiment | str, *, metric_name: str | None = None) -> None:
        self.experiment = (
            experiment if isinstance(experiment, Experiment) else Experiment.load(experiment)
        )
        objective = self.experiment.objective or {}
        self.metric_name = metric_name or objective.get("metric") or "value"
        self.logged: dict[int, str] = {}  # Optuna trial number → trial component name
        self._lock = threading.Lock()  # n_jobs > 1 calls back from several threads
        self._checked_direction = False
        self._failures: dict[int, str] = {}  # Optuna keeps no exception: ``watch`` records it

    def watch(self, objective: Callable[[optuna.Trial], Any]) -> Callable[[optuna.Trial], Any]:
        """``objective`` recording the exception of a failing trial for its status message."""

        def watched(trial: optuna.Trial) -> Any:
            try:
                return objective(trial)
            except optuna.TrialPruned:
                raise
            except Exception as error:
                self._failures[trial.number] = f"{type(error).__name__}: {error}"[:10_000]
                raise

        return watched

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        with self._lock:
            self._log(study, trial, interrupted=False)

    def catch_up(self, study: optuna.Study, *, interrupted: bool = False) -> None:
        """Log the study's finished trials not logged yet (Optuna calls no callback for a
        trial whose exception or interrupt ends ``optimize``); ``interrupted`` → Stopped."""
        with self._lock:
            for trial in study.get_trials(deepcopy=False):
                if trial.number not in self.logged and trial.state in _FINISHED_STATUS:
                    self._log(study, trial, interrupted=interrupted)

    # -- one trial -------------------------------------------------------------------------
    def _log(self, study: optuna.Study, trial: FrozenTrial, *, interrupted: bool) -> None:
        status = _FINISHED_STATUS.get(trial.state)
        if status is None or trial.number in self.logged:
            return
        self._check_direction(study)
        if not self._declare_space(trial):
            return
        tracker = self.experiment.run(variables=dict(trial.params), rerun=True)
        self.logged[trial.number] = tracker.trial_component_name
        metric_names = self._metric_names(study)
        steps = sorted(trial.intermediate_values)
        for step in steps:
            tracker.log_metric(metric_names[0], trial.intermediate_values[step], step=step)
        if trial.state == TrialState.COMPLETE:  # a pruned trial's value is its last report
            final_step = steps[-1] + 1 if steps else 0
            for name, value in zip(metric_names, trial.values or (), strict=False):
                tracker.log_metric(name, value, step=final_step)
        tracker.log_parameters(_trial_parameters(study, trial))
        message = None
        if status is TrialStatus.STOPPED:
            message = f"Pruned by Optuna after step {steps[-1]}" if steps else "Pruned by Optuna"
        elif status is TrialStatus.FAILED:
            if interrupted:
                status, message = TrialStatus.STOPPED, "Stopped by KeyboardInterrupt"
            else:
                message = self._failures.pop(trial.number, None) or (
                    "The Optuna trial failed (its objective raised an exception or gave NaN)"
                )
        tracker.close(status=status, status_message=message)
        _keep_optuna_times(tracker.trial_component_name, trial)

    def _metric_names(self, study: optuna.Study) -> list[str]:
        count = len(study.directions)
        if count == 1:
            return [self.metric_name]
        named = getattr(study, "metric_names", None)
        return list(named) if named else [f"value_{index}" for index in range(count)]

    def _check_direction(self, study: optuna.Study) -> None:
        if self._checked_direction:
            return
        self._checked_direction = True
        goal = (self.experiment.objective or {}).get("goal")
        if goal and len(study.directions) == 1 and study.direction.name.lower() != goal:
            warnings.warn(
                f"experiment {self.experiment.experiment_name!r} wants to {goal} "
                f"{self.metric_name!r} but the study's direction is "
                f"{study.direction.name.lower()}: its best trials will differ from Optuna's",
                stacklevel=3,
            )

    def _declare_space(self, trial: FrozenTrial) -> bool:
        """Declare the variable space from the distributions if the experiment has none."""
        experiment = self.experiment
        if not experiment.variables and not experiment.list_trials():
            experiment.variables = space_from_distributions(trial.distributions)
            experiment.save()
        declared = set(experiment.variables or {})
        if declared and declared != set(trial.params):
            warnings.warn(
                f"Optuna trial {trial.number} suggests {sorted(trial.params)} but experiment "
                f"{experiment.experiment_name!r} declares {sorted(declared)}; a conditional "
                "search space needs one experiment per branch, so this trial is not logged",
                stacklevel=4,
            )
            return False
        return True


def space_from_distributions(distributions: Mapping[str, BaseDistribution]) -> dict[str, Variable]:
    """Categorical → ``Choice``; float and int → ``Range`` (log scale, integer, grid of steps)."""
    space: dict[str, Variable] = {}
    for name, distribution in distributions.items():
        if isinstance(distribution, CategoricalDistribution):
            space[name] = Choice(distribution.choices)
        elif isinstance(distribution, (FloatDistribution, IntDistribution)):
            integer = isinstance(distribution, IntDistribution)
            step = distribution.step
            num = None
            if step is not None and not distribution.log:
                num = round((distribution.high - distribution.low) / step) + 1
            space[name] = Range(
                distribution.low,
                distribution.high,
                scale="log" if distribution.log else "linear",
                num=num,
                integer=integer,
            )
        else:
            raise ValidationError(
                f"Optuna parameter {name!r} has a distribution Trialbook cannot map "
                f"({type(distribution).__name__}); declare the experiment's variables yourself"
            )
    return space


def _trial_parameters(study: optuna.Study, trial: FrozenTrial) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "optuna.study_name": study.study_name,
        "optuna.trial_number": trial.number,
        "optuna.state": trial.state.name,
    }
    parameters.update(flat_parameters(trial.user_attrs, "optuna.user_attr."))
    return parameters


def _keep_optuna_times(component_name: str, trial: FrozenTrial) -> None:
    """Start and end times as Optuna measured them (the callback runs after the trial)."""
    if trial.datetime_start is None:
        return
    component = TrialComponent.load(component_name)
    component.start_time = trial.datetime_start.astimezone()  # Optuna's are naive local times
    if trial.datetime_complete is not None:
        component.end_time = trial.datetime_complete.astimezone()
    component.save()


def optimize(
    experiment: Experiment,
    objective: Callable[[optuna.Trial], Any],
    n_trials: int | None = None,
    *,
    timeout: float | None = None,
    n_jobs: int = 1,
    catch: Iterable[type[Exception]] | type[Exception] = (),
    callbacks: Iterable[Callable[[optuna.Study, FrozenTrial], None]] | None = None,
    gc_after_trial: bool = False,
    show_progress_bar: bool = False,
    **study_kwargs: Any,
) -> optuna.Study:
    """Create a study (``study_kwargs`` go to ``optuna.create_study``) whose direction is the
    experiment's objective goal, optimize it with a ``TrialbookCallback`` and return it."""
    goal = (experiment.objective or {}).get("goal")
    direction = study_kwargs.pop("direction", None)
    if "directions" not in study_kwargs:
        if goal and direction and direction != goal:
            raise ValidationError(
                f"direction={direction!r} contradicts the objective of experiment "
                f"{experiment.experiment_name!r} ({goal} {experiment.objective['metric']!r}); "
                "drop the direction argument: the experiment's objective sets it"
            )
        direction = direction or goal
        if direction is None:
            raise ValidationError(
                f"experiment {experiment.experiment_name!r} has no objective to set the study's "
                "direction: give direction='minimize' or 'maximize'"
            )
        study_kwargs["direction"] = direction
    study = optuna.create_study(**study_kwargs)
    callback = TrialbookCallback(experiment)
    try:
        study.optimize(
            callback.watch(objective),
            n_trials=n_trials,
            timeout=timeout,
            n_jobs=n_jobs,
            catch=catch,
            callbacks=[callback, *(callbacks or ())],
            gc_after_trial=gc_after_trial,
            show_progress_bar=show_progress_bar,
        )
    except KeyboardInterrupt:
        callback.catch_up(study, interrupted=True)
        raise
    except Exception:
        callback.catch_up(study)
        raise
    return study
