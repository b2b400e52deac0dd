"""``TrialComponent``: a parameter set, job, dataset, model or other artifact of trials."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from trialbook import provenance, values
from trialbook.errors import ValidationError
from trialbook.kernel.display import component_bundle
from trialbook.names import validate_name
from trialbook.status import TrialStatus
from trialbook.store import ArtifactRecord, ComponentRecord, MetricSummary, open_store

if TYPE_CHECKING:
    from trialbook.trial import Trial

KINDS = ("training", "dataset", "parameters", "model", "evaluation", "metadata", "other")


def validate_kind(kind: Any) -> str | None:
    if kind is None:
        return None
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)} (or None), got {kind!r}")
    return str(kind)


class TrialComponent:
    """A trial component as stored; attributes follow SageMaker's smexperiments names."""

    trial_component_name: str
    display_name: str | None
    kind: str | None
    status: TrialStatus | None
    status_message: str | None
    parameters: dict[str, Any]
    input_artifacts: dict[str, ArtifactRecord]
    output_artifacts: dict[str, ArtifactRecord]
    metrics: dict[str, MetricSummary]
    tags: dict[str, str]
    notes: str | None
    provenance: dict[str, Any] | None
    trial_names: list[str]

    def __init__(self, record: ComponentRecord) -> None:
        self._apply(record)

    def _apply(self, record: ComponentRecord) -> None:
        self.trial_component_name = record.name
        self.display_name = record.display_name
        self.kind = record.kind
        self.status = TrialStatus(record.status) if record.status else None
        self.status_message = record.status_message
        self.start_time = values.to_datetime(record.start_time)
        self.end_time = values.to_datetime(record.end_time)
        self.creation_time = values.to_datetime(record.creation_time)
        self.last_modified_time = values.to_datetime(record.last_modified_time)
        self.parameters = dict(record.parameters)
        self.input_artifacts = dict(record.input_artifacts)
        self.output_artifacts = dict(record.output_artifacts)
        self.metrics = dict(record.metrics)
        self.tags = dict(record.tags)
        self.notes = record.notes
        self.provenance = record.provenance
        self.trial_names = list(record.trial_names)

    @classmethod
    def create(
        cls,
        trial_component_name: str,
        *,
        display_name: str | None = None,
        kind: str | None = None,
        tags: Any = None,
    ) -> TrialComponent:
        """Create an unassigned component (add it to trials with ``trial.add_trial_component``)."""
        record = open_store().create_component(
            validate_name(trial_component_name, "trial_component_name"),
            display_name=values.text(display_name, "display_name"),
            kind=validate_kind(kind),
            tags=values.tags(tags),
            provenance=provenance.capture(),
        )
        return cls(record)

    @classmethod
    def load(cls, trial_component_name: str) -> TrialComponent:
        return cls(
            open_store().get_component(validate_name(trial_component_name, "trial_component_name"))
        )

    @classmethod
    def list(
        cls, trial_name: str | None = None, experiment_name: str | None = None
    ) -> builtins.list[TrialComponent]:
        """Components, oldest first: all, of a trial, or of an experiment's trials."""
        records = open_store().list_components(
            trial_name=trial_name, experiment_name=experiment_name
        )
        return [cls(record) for record in records]

    def list_trials(self) -> builtins.list[Trial]:
        from trialbook.trial import Trial

        return Trial.list(trial_component_name=self.trial_component_name)

    def refresh(self) -> TrialComponent:
        """Re-read this component from the store (status, metrics, parameters...)."""
        self._apply(open_store().get_component(self.trial_component_name))
        return self

    def save(self) -> TrialComponent:
        """Write display_name, kind, status, times, tags, notes and parameters back."""
        store = open_store()
        status = None if self.status is None else TrialStatus(self.status)
        if status is TrialStatus.INTERRUPTED:
            raise ValidationError("Interrupted is derived, never stored; set another status")
        store.set_parameters(
            self.trial_component_name, values.parameters(self.parameters), replace=True
        )
        record = store.update_component(
            self.trial_component_name,
            display_name=values.text(self.display_name, "display_name"),
            kind=validate_kind(self.kind),
            status=None if status is None else status.value,
            status_message=values.text(self.status_message, "status_message"),
            start_time=None if self.start_time is None else values.epoch_seconds(self.start_time),
            end_time=None if self.end_time is None else values.epoch_seconds(self.end_time),
            tags=values.tags(self.tags),
            notes=values.text(self.notes, "notes"),
        )
        self._apply(record)
        return self

    def delete(self, force_disassociate: bool = False) -> None:
        """Delete; refuses while the component is in a trial unless ``force_disassociate``."""
        open_store().delete_component(
            self.trial_component_name, force_disassociate=force_disassociate
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return component_bundle(self)

    def __repr__(self) -> str:
        status = self.status.value if self.status else None
        return (
            f"TrialComponent(trial_component_name={self.trial_component_name!r}, "
            f"display_name={self.display_name!r}, kind={self.kind!r}, status={status!r}, "
            f"parameters={len(self.parameters)}, metrics={sorted(self.metrics)}, "
            f"trials={self.trial_names})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TrialComponent)
            and other.trial_component_name == self.trial_component_name
        )

    def __hash__(self) -> int:
        return hash(("TrialComponent", self.trial_component_name))


def component_name_of(value: Any) -> str:
    """The component name of a Tracker, TrialComponent or str."""
    if isinstance(value, str):
        return validate_name(value, "trial_component_name")
    name = getattr(value, "trial_component_name", None)
    if isinstance(name, str):
        return name
    raise ValidationError(
        "expected a Tracker, TrialComponent or component name, "
        f"got {type(value).__name__}: {value!r}"
    )
