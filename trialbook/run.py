"""``exp.run(variables=...)``: find or create the trial of a variable set and a training attempt."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from trialbook import provenance, values
from trialbook import variables as variable_space
from trialbook.errors import AlreadyExistsError
from trialbook.names import create_with_generated_name, generate_trial_name
from trialbook.status import TrialStatus
from trialbook.store import RunStart, TrialRecord, open_store_and_writer
from trialbook.tracker import Tracker
from trialbook.trial import Trial

if TYPE_CHECKING:
    from trialbook.experiment import Experiment


def start_run(
    experiment: Experiment,
    given: dict[str, Any] | None,
    *,
    rerun: bool,
    system_metrics: bool | float = False,
) -> Tracker:
    """The store finds or creates the trial and starts its next attempt in one transaction
    (the database lets one attempt of a trial run at a time)."""
    normalized = variable_space.normalize_variables(given)
    variable_space.check_names(experiment.variables, normalized, experiment.experiment_name)
    identity = variable_space.identity(normalized)
    store, writer = open_store_and_writer()
    fields = {
        "variables": normalized,
        "identity": identity,
        "rerun": rerun,
        "provenance": provenance.capture(),
        "start_time": time.time(),
        "parameters": values.parameters(normalized) if normalized else {},
    }

    def start(trial_name: str) -> tuple[TrialRecord, Any]:
        return store.start_run(experiment.experiment_name, RunStart(trial_name, **fields))

    def attempt() -> tuple[TrialRecord, Any]:
        return create_with_generated_name(
            start, lambda: generate_trial_name(experiment.experiment_name)
        )

    try:
        trial, component = attempt()
    except AlreadyExistsError as error:
        # Another process created this variable set's trial, or claimed it, a moment ago:
        # look again (a running attempt is then refused below).
        if not isinstance(error.existing, TrialRecord) or error.existing.identity != identity:
            raise
        try:
            trial, component = attempt()
        except AlreadyExistsError as again:
            if isinstance(again.existing, TrialRecord):
                raise AlreadyExistsError(str(again), Trial(again.existing)) from None
            raise
    if component is None:
        raise _refusal(trial)
    return Tracker.started(component, store, writer=writer, system_metrics=system_metrics)


def _refusal(trial: TrialRecord) -> AlreadyExistsError:
    """Why the store started no attempt: the trial is running, or Completed (no rerun)."""
    if trial.status == TrialStatus.IN_PROGRESS.value:
        return AlreadyExistsError(
            f"Trial {trial.name!r} for {trial.variables} is running now (in this or another "
            "process). Wait for it, or use another variable set (e.g. add a 'seed' variable).",
            Trial(trial),
        )
    return AlreadyExistsError(
        f"Trial {trial.name!r} for {trial.variables} already Completed. Pass rerun=True to "
        "run it again as a new attempt, or add a 'seed' variable for replicates.",
        Trial(trial),
    )
