"""``Trial``: one training iteration on one variable set, in exactly one experiment."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from trialbook import values, variables
from trialbook.component import TrialComponent, component_name_of
from trialbook.kernel.display import Chart, trial_bundle
from trialbook.names import create_with_generated_name, generate_trial_name, validate_name
from trialbook.status import TrialStatus
from trialbook.store import TrialRecord, open_store


class Trial:
    """A trial as stored; ``variables`` is its variable set, ``status`` derived on read."""

    trial_name: str
    experiment_name: str
    variables: dict[str, Any] | None
    status: TrialStatus | None
    tags: dict[str, str]
    notes: str | None

    def __init__(self, record: TrialRecord) -> None:
        self._apply(record)

    def _apply(self, record: TrialRecord) -> None:
        self.trial_name = record.name
        self.display_name = record.name
        self.experiment_name = record.experiment_name
        self.variables = record.variables
        self.tags = dict(record.tags)
        self.notes = record.notes
        self.status = TrialStatus(record.status) if record.status else None
        self.creation_time = values.to_datetime(record.creation_time)
        self.last_modified_time = values.to_datetime(record.last_modified_time)

    @classmethod
    def create(
        cls,
        experiment_name: str,
        trial_name: str | None = None,
        *,
        variables: dict[str, Any] | None = None,
        trial_components: Iterable[Any] | None = None,
        tags: Any = None,
    ) -> Trial:
        """Create a trial for a variable set; a set already used in the experiment is an
        AlreadyExistsError naming that trial."""
        experiment = open_store().get_experiment(validate_name(experiment_name, "experiment_name"))
        normalized = _check_variables(experiment.variables, experiment.name, variables)
        components = [component_name_of(tc) for tc in trial_components or ()]
        store = open_store()

        def create(name: str) -> TrialRecord:
            return store.create_trial(
                name,
                experiment_name=experiment.name,
                variables=normalized,
                identity=variables_identity(normalized),
                tags=values.tags(tags),
            )

        if trial_name is not None:
            record = create(validate_name(trial_name, "trial_name"))
        else:
            record = create_with_generated_name(
                create, lambda: generate_trial_name(experiment.name)
            )
        for component in components:
            store.associate(record.name, component)
        return cls(store.get_trial(record.name)) if components else cls(record)

    @classmethod
    def load(cls, trial_name: str) -> Trial:
        return cls(open_store().get_trial(validate_name(trial_name, "trial_name")))

    @classmethod
    def list(
        cls, experiment_name: str | None = None, trial_component_name: str | None = None
    ) -> builtins.list[Trial]:
        """Trials, oldest first: all, of an experiment, and/or containing a component."""
        records = open_store().list_trials(
            experiment_name=experiment_name, component_name=trial_component_name
        )
        return [cls(record) for record in records]

    def add_trial_component(self, trial_component: Any) -> None:
        """Associate a Tracker, TrialComponent or component name with this trial."""
        open_store().associate(self.trial_name, component_name_of(trial_component))
        self.refresh()

    def remove_trial_component(self, trial_component: Any) -> None:
        open_store().disassociate(self.trial_name, component_name_of(trial_component))
        self.refresh()

    def list_trial_components(self) -> builtins.list[TrialComponent]:
        return TrialComponent.list(trial_name=self.trial_name)

    def refresh(self) -> Trial:
        self._apply(open_store().get_trial(self.trial_name))
        return self

    def save(self) -> Trial:
        """Write tags and notes back (the variable set is the trial's identity: immutable)."""
        record = open_store().update_trial(
            self.trial_name, tags=values.tags(self.tags), notes=values.text(self.notes, "notes")
        )
        self._apply(record)
        return self

    def delete(self, force: bool = False) -> None:
        """Delete; needs no components left unless ``force`` (then components used only by
        this trial are deleted and shared ones disassociated)."""
        open_store().delete_trial(self.trial_name, force=force)

    def plot(
        self, metric_name: str, *, x: str = "step", smoothing: float = 0.0, log_y: bool = False
    ) -> Chart:
        """A chart of ``metric_name`` for this trial, growing live in JupyterLab."""
        return Chart(
            metric_name,
            owner_kind="trial",
            owners=[self.trial_name],
            experiment=self.experiment_name,
            x=x,
            smoothing=smoothing,
            log_y=log_y,
            title=f"trial {self.trial_name}",
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return trial_bundle(self)

    def __repr__(self) -> str:
        status = self.status.value if self.status else None
        return (
            f"Trial(trial_name={self.trial_name!r}, experiment_name={self.experiment_name!r}, "
            f"variables={self.variables!r}, status={status!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trial) and other.trial_name == self.trial_name

    def __hash__(self) -> int:
        return hash(("Trial", self.trial_name))


def variables_identity(normalized: dict[str, Any] | None) -> str | None:
    return variables.identity(normalized)


def _check_variables(
    space: dict[str, Any] | None, experiment_name: str, given: dict[str, Any] | None
) -> dict[str, Any] | None:
    """``given`` normalized, checked against the experiment's variable space (JSON form)."""
    normalized = variables.normalize_variables(given)
    variables.check_names(variables.space_from_json(space), normalized, experiment_name)
    return normalized
