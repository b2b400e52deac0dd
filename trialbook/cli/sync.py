"""Copy one store into another through the Store interface: idempotent, incremental, resumable.

Records are matched by their unique names. What the destination already holds is never
overwritten: a record that differs in what defines it (an experiment's hypothesis, a trial's
variables, a parameter's value, an artifact's content, a series with more points than the
source) is reported as a ``Conflict`` and left alone (with the records under it).

Resumability comes from the order of writes, each its own transaction on the destination:
experiment → trial → component → its parameters, artifacts and trial associations → its metric
points (batches appended after what the destination holds, so the destination's per-series
point count *is* the resume cursor) → last, its status. A kill between any two writes leaves
a destination that the next run completes without duplicating anything; the status is written
last so a component never looks Completed while its points are still missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from trialbook.errors import AlreadyExistsError, NotFoundError
from trialbook.status import TrialStatus
from trialbook.store import ArtifactRecord, ComponentRecord, ExperimentRecord, Store, TrialRecord

#: Points per append transaction: big enough to be fast, small enough to resume cheaply.
POINT_BATCH = 50_000

_EXPERIMENT_DEFINITION = ("description", "hypothesis", "objective", "variables")
_COMPONENT_DEFINITION = ("display_name", "kind", "provenance")
_STATUS_FIELDS = ("status", "status_message", "start_time", "end_time")


@dataclass
class Conflict:
    entity_type: str  # experiment | trial | component | parameter | artifact | metric | tag
    name: str
    field: str
    source: Any
    destination: Any

    def describe(self) -> str:
        return (
            f"{self.entity_type} {self.name!r}: {self.field} differs "
            f"(source {self.source!r}, destination {self.destination!r})"
        )


@dataclass
class SyncReport:
    """What one run copied (counts of new rows) and the conflicts it left alone."""

    experiments: int = 0
    trials: int = 0
    components: int = 0
    associations: int = 0
    parameters: int = 0
    artifacts: int = 0
    points: int = 0
    statuses: int = 0
    tags: int = 0
    conflicts: list[Conflict] = field(default_factory=list)

    def added(self) -> int:
        return sum(value for key, value in asdict(self).items() if key != "conflicts")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["conflicts"] = [asdict(conflict) for conflict in self.conflicts]
        return data


@dataclass
class SyncPlan:
    """The components to visit and how many points they will add (sizes the progress bar)."""

    experiments: list[ExperimentRecord]
    components: list[ComponentRecord]
    new_points: int


class Synchronizer:
    """One sync run from ``source`` to ``destination``.

    ``after_write`` (tests) is called after every destination write transaction; raising or
    killing the process there simulates a crash at that point.
    """

    def __init__(
        self,
        source: Store,
        destination: Store,
        *,
        experiment_names: Iterable[str] | None = None,
        after_write: Callable[[], None] | None = None,
        on_points: Callable[[int], None] | None = None,
    ) -> None:
        self.source = source
        self.destination = destination
        self.only = set(experiment_names) if experiment_names else None
        self.after_write = after_write or (lambda: None)
        self.on_points = on_points or (lambda _count: None)
        self.report = SyncReport()
        self._synced_trials: set[str] = set()
        # What DST holds, read in bulk per experiment: probing a missing name one at a time
        # costs a not-found error (with its close-match search) per new record.
        self._held_trials: dict[str, TrialRecord] = {}
        self._held_components: dict[str, ComponentRecord] = {}

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> SyncReport:
        for experiment in self._experiments():
            if not self._sync_experiment(experiment):
                continue
            self._held_trials = {
                trial.name: trial
                for trial in self.destination.list_trials(experiment_name=experiment.name)
            }
            for trial in self.source.list_trials(experiment_name=experiment.name):
                if self._sync_trial(trial):
                    self._synced_trials.add(trial.name)
            self._held_components.update(
                (component.name, component)
                for component in self.destination.list_components(experiment_name=experiment.name)
            )
        if self.only is None:
            self._held_components.update(
                (component.name, component)
                for component in self.destination.list_components(unassigned=True)
            )
        for component in self._components():
            in_synced_trial = any(name in self._synced_trials for name in component.trial_names)
            if in_synced_trial or not component.trial_names:
                self._sync_component(component)
        return self.report

    def plan(self) -> int:
        """Points the run will copy (read-only; for the progress bar)."""
        names = [component.name for component in self._components()]
        existing = self.destination.metric_summaries(names) if names else {}
        total = 0
        for component in self._components():
            held = existing.get(component.name, {})
            for metric, summary in component.metrics.items():
                already = held[metric].count if metric in held else 0
                total += max(summary.count - already, 0)
        return total

    def _experiments(self) -> list[ExperimentRecord]:
        experiments = self.source.list_experiments()
        if self.only is None:
            return experiments
        missing = self.only - {experiment.name for experiment in experiments}
        if missing:
            raise NotFoundError(
                f"No experiment named {sorted(missing)} in the source store; "
                "`trialbook --store SRC ls` lists them."
            )
        return [experiment for experiment in experiments if experiment.name in self.only]

    def _components(self) -> list[ComponentRecord]:
        """Components of the synced experiments' trials, plus unassigned ones on a full sync."""
        seen: dict[str, ComponentRecord] = {}
        for experiment in self._experiments():
            for component in self.source.list_components(experiment_name=experiment.name):
                seen.setdefault(component.name, component)
        if self.only is None:
            for component in self.source.list_components(unassigned=True):
                seen.setdefault(component.name, component)
        return list(seen.values())

    def _wrote(self, counter: str, amount: int = 1) -> None:
        setattr(self.report, counter, getattr(self.report, counter) + amount)
        self.after_write()

    def _conflict(self, entity_type: str, name: str, key: str, source: Any, dest: Any) -> None:
        self.report.conflicts.append(Conflict(entity_type, name, key, source, dest))

    # -- experiments and trials ------------------------------------------------------------
    def _sync_experiment(self, experiment: ExperimentRecord) -> bool:
        """Create or check the experiment; False when it conflicts (its trials are skipped)."""
        try:
            existing = self.destination.get_experiment(experiment.name)
        except NotFoundError:
            try:
                self.destination.create_experiment(
                    experiment.name,
                    description=experiment.description,
                    hypothesis=experiment.hypothesis,
                    objective=experiment.objective,
                    variables=experiment.variables,
                    tags=experiment.tags,
                )
                self._wrote("experiments")
            except AlreadyExistsError as error:  # created meanwhile by another writer
                existing = error.existing or self.destination.get_experiment(experiment.name)
            else:
                self._merge_notes("experiment", experiment.name, experiment.notes, None)
                return True
        if self._differs("experiment", experiment, existing, _EXPERIMENT_DEFINITION):
            return False
        self._merge_tags("experiment", experiment.name, experiment.tags, existing.tags)
        self._merge_notes("experiment", experiment.name, experiment.notes, existing.notes)
        return True

    def _sync_trial(self, trial: TrialRecord) -> bool:
        existing = self._held_trials.get(trial.name)
        if existing is None:
            try:
                self.destination.create_trial(
                    trial.name,
                    experiment_name=trial.experiment_name,
                    variables=trial.variables,
                    identity=trial.identity,
                    tags=trial.tags,
                )
            except AlreadyExistsError as error:  # the name in another experiment, or the set
                other = error.existing
                other_name = other.name if isinstance(other, TrialRecord) else None
                if other_name != trial.name:
                    self._conflict("trial", trial.name, "variables", trial.variables, other_name)
                    return False
                existing = other
            else:
                self._wrote("trials")
                self._merge_notes("trial", trial.name, trial.notes, None)
                return True
        if self._differs("trial", trial, existing, ("experiment_name", "variables")):
            return False
        self._merge_tags("trial", trial.name, trial.tags, existing.tags)
        self._merge_notes("trial", trial.name, trial.notes, existing.notes)
        return True

    def _differs(self, entity_type: str, source: Any, dest: Any, keys: Iterable[str]) -> bool:
        """Report each defining field that differs between the two records; True if any."""
        differences = [key for key in keys if getattr(source, key) != getattr(dest, key)]
        for key in differences:
            self._conflict(entity_type, source.name, key, getattr(source, key), getattr(dest, key))
        return bool(differences)

    def _merge_tags(
        self, entity_type: str, name: str, source: Mapping[str, str], dest: Mapping[str, str]
    ) -> None:
        missing = {key: value for key, value in source.items() if key not in dest}
        for key, value in source.items():
            if key in dest and dest[key] != value:
                self._conflict("tag", name, f"{entity_type} tag {key}", value, dest[key])
        if missing:
            self._update(entity_type, name, tags={**dest, **missing})
            self._wrote("tags", len(missing))

    def _merge_notes(
        self, entity_type: str, name: str, source: str | None, dest: str | None
    ) -> None:
        if not source or source == dest:
            return
        if dest:
            self._conflict(entity_type, name, "notes", source, dest)
            return
        self._update(entity_type, name, notes=source)
        self.after_write()

    def _update(self, entity_type: str, name: str, **fields: Any) -> None:
        update = {
            "experiment": self.destination.update_experiment,
            "trial": self.destination.update_trial,
            "component": self.destination.update_component,
        }[entity_type]
        update(name, **fields)

    # -- components ------------------------------------------------------------------------
    def _sync_component(self, component: ComponentRecord) -> None:
        existing = self._held_components.get(component.name)
        if existing is None:
            try:
                existing = self.destination.create_component(
                    component.name,
                    display_name=component.display_name,
                    kind=component.kind,
                    tags=component.tags,
                    provenance=component.provenance,
                )
                self._wrote("components")
            except AlreadyExistsError:  # held elsewhere in DST: compare like any other
                existing = self.destination.get_component(component.name)
                self._held_components[component.name] = existing
                self._sync_component(component)
                return
        else:
            if self._differs("component", component, existing, _COMPONENT_DEFINITION):
                return
            self._merge_tags("component", component.name, component.tags, existing.tags)
        self._merge_notes("component", component.name, component.notes, existing.notes)
        self._sync_parameters(component, existing)
        self._sync_artifacts(component, existing)
        self._sync_associations(component, existing)
        self._sync_points(component)
        self._sync_status(component)

    def _sync_parameters(self, component: ComponentRecord, existing: ComponentRecord) -> None:
        missing = {}
        for key, value in component.parameters.items():
            if key not in existing.parameters:
                missing[key] = value
            elif not _same_value(existing.parameters[key], value):
                self._conflict("parameter", component.name, key, value, existing.parameters[key])
        if missing:
            self.destination.set_parameters(component.name, missing, replace=False)
            self._wrote("parameters", len(missing))

    def _sync_artifacts(self, component: ComponentRecord, existing: ComponentRecord) -> None:
        for direction in ("input", "output"):
            held: dict[str, ArtifactRecord] = getattr(existing, f"{direction}_artifacts")
            for key, artifact in getattr(component, f"{direction}_artifacts").items():
                if key in held:
                    if not _same_artifact(artifact, held[key]):
                        self._conflict(
                            "artifact",
                            component.name,
                            f"{direction} {key}",
                            artifact.sha256 or artifact.value,
                            held[key].sha256 or held[key].value,
                        )
                    continue
                self._copy_artifact(artifact)
                self._wrote("artifacts")

    def _copy_artifact(self, artifact: ArtifactRecord) -> None:
        """Copy the file (content-addressed, so a re-copy after a kill is harmless), then the
        record that refers to it."""
        value, sha256, size, path = artifact.value, artifact.sha256, artifact.size, None
        source_file = self.source.artifact_file(artifact)
        if source_file is not None:
            if not source_file.is_file():
                raise NotFoundError(
                    f"Artifact file {source_file} of component {artifact.component_name!r} is "
                    "missing from the source store's artifact root; restore it (or delete the "
                    "artifact) and sync again."
                )
            path, sha256, size = self.destination.import_artifact_file(source_file)
            value = (self.destination.artifact_root / path).absolute().as_uri()
        self.destination.put_artifact(
            artifact.component_name,
            direction=artifact.direction,
            name=artifact.name,
            value=value,
            media_type=artifact.media_type,
            sha256=sha256,
            size=size,
            path=path,
        )

    def _sync_associations(self, component: ComponentRecord, existing: ComponentRecord) -> None:
        for trial_name in component.trial_names:
            if trial_name in self._synced_trials and trial_name not in existing.trial_names:
                self.destination.associate(trial_name, component.name)
                self._wrote("associations")

    def _sync_points(self, component: ComponentRecord) -> None:
        if not component.metrics:
            return
        held = self.destination.metric_summaries([component.name]).get(component.name, {})
        for metric, summary in component.metrics.items():
            already = held[metric].count if metric in held else 0
            if already > summary.count:
                self._conflict("metric", component.name, metric, summary.count, already)
                continue
            if already == summary.count:
                continue
            series = self.source.metric_points(component.name, metric)
            points = list(zip(series.steps, series.times, series.values, strict=True))[already:]
            for start in range(0, len(points), POINT_BATCH):
                batch = points[start : start + POINT_BATCH]
                written = self.destination.append_metric_points({(component.name, metric): batch})
                self.on_points(written)
                self._wrote("points", written)

    def _sync_status(self, component: ComponentRecord) -> None:
        """Mirror the source writer's status (see `_stored_status`)."""
        wanted = _stored_status(component)
        current = self.destination.get_component(component.name)
        have = _stored_status(current)
        changed = {key: value for key, value in wanted.items() if have[key] != value}
        if changed:
            self.destination.update_component(component.name, **changed)
            self._wrote("statuses")
        heartbeat = component.heartbeat_time or 0.0  # none at all: never alive, Interrupted
        if wanted["status"] == TrialStatus.IN_PROGRESS.value and (
            changed or current.heartbeat_time != heartbeat
        ):
            # update_component stamps "now" on InProgress; keep the source's heartbeat instead
            self.destination.record_heartbeat([component.name], heartbeat)
            self.after_write()


def _same_value(left: Any, right: Any) -> bool:
    """Parameter equality as the store keeps it: bool is not int; 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _same_artifact(source: ArtifactRecord, destination: ArtifactRecord) -> bool:
    if source.sha256 or destination.sha256:
        return source.sha256 == destination.sha256
    return source.value == destination.value and source.media_type == destination.media_type


def _stored_status(component: ComponentRecord) -> dict[str, Any]:
    """A component's status fields as a store keeps them: Interrupted is never stored, so a
    component derived as Interrupted is InProgress with its (stale) heartbeat."""
    status = component.status
    if status == TrialStatus.INTERRUPTED.value:
        status = TrialStatus.IN_PROGRESS.value
    return {
        "status": status,
        "status_message": component.status_message,
        "start_time": component.start_time,
        "end_time": component.end_time,
    }
