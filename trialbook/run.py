"""``exp.run(variables=...)``: find or create the trial of a variable set and a training attempt."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from trialbook import provenance
from trialbook import variables as variable_space
from trialbook.errors import AlreadyExistsError
from trialbook.names import create_with_generated_name, generate_trial_name
from trialbook.status import TrialStatus
from trialbook.store import TrialRecord, open_store
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
    normalized = variable_space.normalize_variables(given)
    variable_space.check_names(experiment.variables, normalized, experiment.experiment_name)
    identity = variable_space.identity(normalized)
    store = open_store()
    trial = store.find_trial(experiment.experiment_name, identity) if identity else None
    if trial is None:
        try:
            trial = create_with_generated_name(
                lambda name: store.create_trial(
                    name,
                    experiment_name=experiment.experiment_name,
                    variables=normalized,
                    identity=identity,
                    tags={},
                ),
                lambda: generate_trial_name(experiment.experiment_name),
            )
        except AlreadyExistsError as error:  # another process created it a moment ago
            if not isinstance(error.existing, TrialRecord) or error.existing.identity != identity:
                raise
            trial = error.existing
    _check_can_run(trial, rerun)
    attempt = 1 + sum(
        1
        for component in store.list_components(trial_name=trial.name)
        if component.kind == "training" and component.name.startswith(f"{trial.name}-training")
    )
    while True:
        suffix = "" if attempt == 1 else f"-{attempt}"
        display = "Training" if attempt == 1 else f"Training (attempt {attempt})"
        try:
            # One transaction: the database lets one attempt of a trial run at a time.
            record = store.start_attempt(
                trial.name,
                f"{trial.name}-training{suffix}"[:120],
                display_name=display,
                kind="training",
                tags={},
                provenance=provenance.capture(),
                start_time=time.time(),
            )
            break
        except AlreadyExistsError as error:
            if isinstance(error.existing, TrialRecord):  # another attempt runs now
                raise AlreadyExistsError(str(error), Trial(error.existing)) from None
            attempt += 1  # the attempt's name is taken: the next number
    tracker = Tracker.started(record, store, system_metrics=system_metrics)
    if normalized:
        tracker.log_parameters(normalized)
    return tracker


def _check_can_run(trial: TrialRecord, rerun: bool) -> None:
    status = trial.status
    if status == TrialStatus.IN_PROGRESS.value:
        raise AlreadyExistsError(
            f"Trial {trial.name!r} for {trial.variables} is running now (in this or another "
            "process). Wait for it, or use another variable set (e.g. add a 'seed' variable).",
            Trial(trial),
        )
    if status == TrialStatus.COMPLETED.value and not rerun:
        raise AlreadyExistsError(
            f"Trial {trial.name!r} for {trial.variables} already Completed. Pass rerun=True to "
            "run it again as a new attempt, or add a 'seed' variable for replicates.",
            Trial(trial),
        )
