"""``exp.run(variables=...)``: find or create the trial of a variable set and a training attempt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trialbook import variables as variable_space
from trialbook.errors import AlreadyExistsError
from trialbook.names import generate_trial_name
from trialbook.status import TrialStatus
from trialbook.store import TrialRecord, open_store
from trialbook.tracker import Tracker
from trialbook.trial import Trial

if TYPE_CHECKING:
    from trialbook.experiment import Experiment


def start_run(experiment: Experiment, given: dict[str, Any] | None, *, rerun: bool) -> Tracker:
    normalized = variable_space.normalize_variables(given)
    variable_space.check_names(experiment.variables, normalized, experiment.experiment_name)
    identity = variable_space.identity(normalized)
    store = open_store()
    trial = store.find_trial(experiment.experiment_name, identity) if identity else None
    if trial is None:
        try:
            trial = store.create_trial(
                generate_trial_name(experiment.experiment_name),
                experiment_name=experiment.experiment_name,
                variables=normalized,
                identity=identity,
                tags={},
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
            tracker = Tracker._start(
                f"{trial.name}-training{suffix}"[:120], display_name=display, kind="training"
            )
            break
        except AlreadyExistsError:
            attempt += 1
    if store.add_attempt(trial.name, tracker.trial_component_name) is not None:
        # Another process started this variable set between our check and now.
        tracker.close()
        store.delete_component(tracker.trial_component_name)
        raise _running_now(store.get_trial(trial.name))
    if normalized:
        tracker.log_parameters(normalized)
    return tracker


def _check_can_run(trial: TrialRecord, rerun: bool) -> None:
    status = trial.status
    if status == TrialStatus.IN_PROGRESS.value:
        raise _running_now(trial)
    if status == TrialStatus.COMPLETED.value and not rerun:
        raise AlreadyExistsError(
            f"Trial {trial.name!r} for {trial.variables} already Completed. Pass rerun=True to "
            "run it again as a new attempt, or add a 'seed' variable for replicates.",
            Trial(trial),
        )


def _running_now(trial: TrialRecord) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"Trial {trial.name!r} for {trial.variables} is running now (in this or another "
        "process). Wait for it, or use another variable set (e.g. add a 'seed' variable).",
        Trial(trial),
    )
