"""``exp.run(variables=...)``: find or create the trial of a variable set and a training attempt."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from trialbook import provenance, values
from trialbook import variables as variable_space
from trialbook.errors import AlreadyExistsError
from trialbook.names import generate_trial_name
from trialbook.status import TrialStatus
from trialbook.store import RunStart, TrialRecord, open_store
from trialbook.tracker import Tracker
from trialbook.trial import Trial

if TYPE_CHECKING:
    from trialbook.experiment import Experiment


def start_run(experiment: Experiment, given: dict[str, Any] | None, *, rerun: bool) -> Tracker:
    """The store finds or creates the trial and starts its next attempt in one transaction."""
    normalized = variable_space.normalize_variables(given)
    variable_space.check_names(experiment.variables, normalized, experiment.experiment_name)
    identity = variable_space.identity(normalized)
    run = RunStart(
        trial_name=generate_trial_name(experiment.experiment_name),
        variables=normalized,
        identity=identity,
        rerun=rerun,
        provenance=provenance.capture(),
        start_time=time.time(),
        parameters=values.parameters(normalized) if normalized else {},
    )
    store = open_store()
    try:
        trial, component = store.start_run(experiment.experiment_name, run)
    except AlreadyExistsError as error:  # another process created it a moment ago
        if not isinstance(error.existing, TrialRecord) or error.existing.identity != identity:
            raise
        trial, component = store.start_run(experiment.experiment_name, run)
    if component is None:
        raise _refusal(trial)
    return Tracker._started(component)


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
