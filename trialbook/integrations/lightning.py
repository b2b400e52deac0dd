"""PyTorch Lightning: ``TrialbookLogger`` implements Lightning's ``Logger`` API.

``Trainer(logger=TrialbookLogger(experiment=exp, variables={"lr": 1e-3}))`` runs the trial of
that variable set as ``exp.run`` does (a Failed or Stopped set gets a new attempt): hyperparameters
(``save_hyperparameters()`` or ``log_hyperparams``) become parameters, flattened with ``.``;
logged metrics keep Lightning's step (a ``/`` in a name becomes ``.``, ``train/loss`` →
``train.loss``: Trialbook names have no ``/``); saved checkpoints are output artifacts (their
paths). Lightning's ``finalize`` sets the status: Completed on success, Failed with the
exception's message, Stopped on Ctrl+C. A later ``trainer.test`` with the same logger reopens
the component. Give ``tracker=`` instead to log into a tracker whose status you manage.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from typing import Any

from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
from lightning.pytorch.utilities import rank_zero_only

from trialbook.errors import ValidationError
from trialbook.experiment import Experiment
from trialbook.integrations._convert import flat_parameters
from trialbook.status import TrialStatus
from trialbook.tracker import Tracker

__all__ = ["TrialbookLogger"]


class TrialbookLogger(Logger):
    """A Lightning logger writing one trial of a Trialbook experiment."""

    def __init__(
        self,
        experiment: Experiment | str | None = None,
        variables: dict[str, Any] | None = None,
        *,
        tracker: Tracker | None = None,
        rerun: bool = False,
        system_metrics: bool | float = False,
    ) -> None:
        super().__init__()
        if (experiment is None) == (tracker is None):
            raise ValidationError(
                "TrialbookLogger needs experiment=... (with variables=...) or tracker=..., "
                "e.g. TrialbookLogger(experiment=exp, variables={'lr': 1e-3})"
            )
        if isinstance(experiment, str):
            experiment = Experiment.load(experiment)
        self._experiment = experiment
        self._variables = variables
        self._rerun = rerun
        self._system_metrics = system_metrics
        self._tracker = tracker
        self._owns_tracker = tracker is None
        self._finalized = False

    # -- Logger API ------------------------------------------------------------------------
    @property
    def name(self) -> str | None:
        return self._experiment.experiment_name if self._experiment else None

    @property
    def version(self) -> str:
        return self.experiment.trial_component_name

    @property
    @rank_zero_experiment
    def experiment(self) -> Tracker:
        """The tracker of the trial's component (created on first use)."""
        if self._tracker is None:
            assert self._experiment is not None
            self._tracker = self._experiment.run(
                variables=self._variables, rerun=self._rerun, system_metrics=self._system_metrics
            )
        return self._tracker

    def _writing(self) -> Tracker:
        """The tracker, reopened if a stage finalized it (``trainer.test`` after ``fit``)."""
        tracker = self.experiment
        if self._finalized:
            self._finalized = False
            if self._owns_tracker:
                tracker.__enter__()  # InProgress again, as re-entering a tracker does
        return tracker

    @property
    def tracker(self) -> Tracker:
        return self.experiment

    @rank_zero_only
    def log_hyperparams(
        self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(params, Namespace):
            params = vars(params)
        self._writing().log_parameters(flat_parameters(dict(params or {})))

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        tracker = self._writing()
        for name, value in metrics.items():
            tracker.log_metric(name.replace("/", "."), _number(value), step=step)

    @rank_zero_only
    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        best = getattr(checkpoint_callback, "best_model_path", "")
        if best:
            self._writing().log_output("best_checkpoint", str(best))
        last = getattr(checkpoint_callback, "last_model_path", "")
        if last:
            self._writing().log_output("last_checkpoint", str(last))

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if self._tracker is None or self._finalized:
            return
        self._finalized = True
        if not self._owns_tracker:
            return
        if status == "success":
            self._tracker.close()
        elif status == "finished":  # SLURM auto-requeue: this attempt stops, another resumes
            self._tracker.close(
                status=TrialStatus.STOPPED, status_message="Stopped by Lightning to be requeued"
            )
        else:  # "failed": Lightning calls this inside its ``except`` block
            error = sys.exc_info()[1]
            if isinstance(error, KeyboardInterrupt):
                self._tracker.close(
                    status=TrialStatus.STOPPED, status_message="Stopped by KeyboardInterrupt"
                )
            else:
                message = f"{type(error).__name__}: {error}" if error else "Lightning run failed"
                self._tracker.close(status=TrialStatus.FAILED, status_message=message[:10_000])


def _number(value: Any) -> float:
    item = getattr(value, "item", None)  # a 0-d tensor
    return item() if callable(item) else value
