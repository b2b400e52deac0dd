"""Import MLflow experiments through MLflow's own client (``pip install trialbook[mlflow]``).

Mapping (docs/cli.md has the user-facing version):
- an MLflow experiment with runs (empty ones are skipped) → an experiment of the same name
  (``/`` becomes ``.``, as Trialbook names forbid ``/``), tagged ``mlflow.experiment_id``;
  its ``mlflow.note.content`` becomes the hypothesis when it reads as a claim
  (``is_claim``), else the description;
- a run → a trial ``<run name>-<run id[:8]>`` with one component
  ``<run name>-<run id[:8]>-training`` (kind training) holding the params as parameters,
  the metrics with their steps and timestamps, the tags, the artifacts (files copied into
  the store) and the mapped status;
- variables → the params whose value differs between the experiment's runs (a missing param
  counts as a value). A variable set identifies a trial, so a later run with the same set
  becomes another component (attempt) of the first run's trial, as ``exp.run`` does.

Idempotent like ``sync``: records are matched by name (and checked against ``mlflow.run_id``),
only missing parameters, artifacts and metric points past those already held are written, and
anything that differs is reported as a conflict, never overwritten.
"""

from __future__ import annotations

import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from trialbook.cli.sync import Conflict, SyncReport
from trialbook.errors import AlreadyExistsError, NotFoundError
from trialbook.names import MAX_NAME_LENGTH
from trialbook.status import TrialStatus
from trialbook.store import ComponentRecord, Store, TrialRecord
from trialbook.variables import Choice, identity, space_to_json

RUN_ID_TAG = "mlflow.run_id"
EXPERIMENT_ID_TAG = "mlflow.experiment_id"
NOTE_TAG = "mlflow.note.content"

STATUS_MAP = {
    "RUNNING": TrialStatus.IN_PROGRESS.value,
    "SCHEDULED": TrialStatus.IN_PROGRESS.value,
    "FINISHED": TrialStatus.COMPLETED.value,
    "FAILED": TrialStatus.FAILED.value,
    "KILLED": TrialStatus.STOPPED.value,
}

#: A note is a hypothesis when it predicts an effect: a comparison, a direction or "will".
_CLAIM = re.compile(
    r"\b(will|would|should|improv\w*|increas\w*|decreas\w*|reduc\w*|outperform\w*|beats?|"
    r"better|worse|faster|slower|higher|lower|than|leads? to|causes?|hypothes\w*|"
    r"predict\w*|expect\w*)\b",
    re.IGNORECASE,
)


def is_claim(text: str | None) -> bool:
    """Whether an experiment note states a testable claim (then it becomes the hypothesis)."""
    return bool(text and _CLAIM.search(text))


def trialbook_key(text: str) -> str:
    """An MLflow name as a valid Trialbook name: ``/`` → ``.``, trimmed to the length limit."""
    cleaned = "".join(char for char in text if char.isprintable()).strip().replace("/", ".")
    return cleaned.strip(".")[:MAX_NAME_LENGTH] or "unnamed"


def parse_param(text: str) -> bool | int | float | str:
    """MLflow keeps params as strings; numbers and booleans come back as such."""
    if text in ("True", "False", "true", "false"):
        return text in ("True", "true")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if number == number and abs(number) != float("inf") else text


def open_client(tracking_uri: str) -> Any:
    # our progress bar (or --json) owns the terminal, not MLflow's per-download tqdm bars
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # MLflow 3 refuses to open an ./mlruns folder unless told to; we only read it
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


class MlflowImporter:
    """One import run of MLflow experiments into a Trialbook store."""

    def __init__(
        self,
        client: Any,
        store: Store,
        *,
        experiment_names: Iterable[str] | None = None,
        on_run: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.only = list(experiment_names) if experiment_names else None
        self.on_run = on_run or (lambda: None)
        self.report = SyncReport()
        self._runs: dict[str, list[Any]] = {}
        # The experiment's records already in the store, read in bulk (see sync.py).
        self._held_trials: dict[str, TrialRecord] = {}
        self._held_components: dict[str, ComponentRecord] = {}

    def experiments(self) -> list[Any]:
        from mlflow.entities import ViewType

        if self.only is not None:
            found = []
            for name in self.only:
                experiment = self.client.get_experiment_by_name(name)
                if experiment is None:
                    raise NotFoundError(
                        f"No MLflow experiment named {name!r} at this tracking URI; "
                        "run without --experiment to import them all."
                    )
                found.append(experiment)
            return found
        experiments, token = [], None
        while True:
            page = self.client.search_experiments(
                view_type=ViewType.ACTIVE_ONLY, max_results=1000, page_token=token
            )
            experiments += list(page)
            token = page.token
            if not token:
                return experiments

    def runs(self, experiment: Any) -> list[Any]:
        """The experiment's active runs in start order (fetched once per import)."""
        from mlflow.entities import ViewType

        if experiment.experiment_id in self._runs:
            return self._runs[experiment.experiment_id]
        runs, token = [], None
        while True:
            page = self.client.search_runs(
                [experiment.experiment_id],
                run_view_type=ViewType.ACTIVE_ONLY,
                max_results=1000,
                order_by=["attributes.start_time ASC"],
                page_token=token,
            )
            runs += list(page)
            token = page.token
            if not token:
                runs.sort(key=lambda run: (run.info.start_time or 0, run.info.run_id))
                self._runs[experiment.experiment_id] = runs
                return runs

    def run(self, experiments: list[Any] | None = None) -> SyncReport:
        for experiment in experiments if experiments is not None else self.experiments():
            runs = self.runs(experiment)
            if not runs:  # e.g. MLflow's empty "Default" experiment
                continue
            variables = run_variables(runs)
            name = self._sync_experiment(experiment, variables)
            if name is not None:
                self._held_trials = {
                    trial.name: trial for trial in self.store.list_trials(experiment_name=name)
                }
                self._held_components = {
                    component.name: component
                    for component in self.store.list_components(experiment_name=name)
                }
            for run in runs:
                if name is not None:
                    self._sync_run(name, run, variables[run.info.run_id])
                self.on_run()
        return self.report

    def _conflict(self, entity_type: str, name: str, key: str, source: Any, dest: Any) -> None:
        self.report.conflicts.append(Conflict(entity_type, name, key, source, dest))

    # -- experiments -----------------------------------------------------------------------
    def _sync_experiment(
        self, experiment: Any, variables: dict[str, dict[str, Any] | None]
    ) -> str | None:
        """Create or check the experiment; its name, or None when it conflicts."""
        name = trialbook_key(experiment.name)
        note = (experiment.tags or {}).get(NOTE_TAG)
        tags = {
            trialbook_key(key): str(value)
            for key, value in (experiment.tags or {}).items()
            if key != NOTE_TAG
        }
        tags[EXPERIMENT_ID_TAG] = str(experiment.experiment_id)
        space = variable_space(variables)
        try:
            existing = self.store.get_experiment(name)
        except NotFoundError:
            claim = is_claim(note)
            description = None if claim else note
            if not note:
                description = f"Imported from MLflow experiment {experiment.name!r}."
            self.store.create_experiment(
                name,
                description=description,
                hypothesis=note if claim else None,
                objective=None,
                variables=space,
                tags=tags,
            )
            self.report.experiments += 1
            return name
        if existing.tags.get(EXPERIMENT_ID_TAG) != str(experiment.experiment_id):
            self._conflict(
                "experiment",
                name,
                EXPERIMENT_ID_TAG,
                str(experiment.experiment_id),
                existing.tags.get(EXPERIMENT_ID_TAG),
            )
            return None
        if existing.variables != space:  # new runs widened the space MLflow owns
            self.store.update_experiment(name, variables=space)
        return name

    # -- runs ------------------------------------------------------------------------------
    def _sync_run(self, experiment_name: str, run: Any, variables: dict[str, Any] | None) -> None:
        trial = self._sync_trial(experiment_name, run_name(run), run, variables)
        if trial is None:
            return
        trial_name = trial.name
        component_name = trialbook_key(f"{run_name(run)[: MAX_NAME_LENGTH - 9]}-training")
        component = self._component(component_name, run)
        if component is None:
            return
        if trial_name not in component.trial_names:
            self.store.associate(trial_name, component_name)
            self.report.associations += 1
        self._parameters(component, run)
        self._artifacts(component, run)
        last_time = self._metrics(component, run)
        self._status(component, run, last_time)

    def _sync_trial(
        self, experiment_name: str, name: str, run: Any, variables: dict[str, Any] | None
    ) -> TrialRecord | None:
        """The run's trial: the one holding its variable set (a run repeating a set is another
        attempt of that trial, as ``exp.run`` does), else a new trial named after the run."""
        key = identity(variables)
        if key is not None:
            holder = self.store.find_trial(experiment_name, key)
            if holder is not None:
                return holder
        tags = {RUN_ID_TAG: run.info.run_id}  # the trial's first run
        tags.update(
            {
                trialbook_key(key): str(value)
                for key, value in run.data.tags.items()
                if not key.startswith("mlflow.")
            }
        )
        existing = self._held_trials.get(name)
        if existing is None:
            try:
                created = self.store.create_trial(
                    name,
                    experiment_name=experiment_name,
                    variables=variables,
                    identity=identity(variables),
                    tags=tags,
                )
            except AlreadyExistsError as error:  # the name is taken in another experiment
                other = error.existing.name if isinstance(error.existing, TrialRecord) else None
                self._conflict("trial", name, "variables", variables, other)
                return None
            self.report.trials += 1
            self._held_trials[name] = created
            return created
        if existing.experiment_name != experiment_name or existing.variables != variables:
            self._conflict("trial", name, "variables", variables, existing.variables)
            return None
        if RUN_ID_TAG not in existing.tags:
            self._conflict("trial", name, RUN_ID_TAG, run.info.run_id, None)
            return None
        return existing

    def _component(self, name: str, run: Any) -> ComponentRecord | None:
        tags = {trialbook_key(key): str(value) for key, value in run.data.tags.items()}
        tags[RUN_ID_TAG] = run.info.run_id
        existing = self._held_components.get(name)
        if existing is None:
            try:
                created = self.store.create_component(
                    name,
                    display_name="Training",
                    kind="training",
                    tags=tags,
                    provenance=run_provenance(run),
                )
            except AlreadyExistsError:  # held outside this experiment
                existing = self.store.get_component(name)
            else:
                self.report.components += 1
                return created
        if existing.tags.get(RUN_ID_TAG) != run.info.run_id:
            self._conflict(
                "component", name, RUN_ID_TAG, run.info.run_id, existing.tags.get(RUN_ID_TAG)
            )
            return None
        return existing

    def _parameters(self, component: ComponentRecord, run: Any) -> None:
        missing = {}
        for key, text in run.data.params.items():
            name, value = trialbook_key(key), parse_param(text)
            if name not in component.parameters:
                missing[name] = value
            elif component.parameters[name] != value:
                self._conflict("parameter", component.name, name, value, component.parameters[name])
        if missing:
            self.store.set_parameters(component.name, missing, replace=False)
            self.report.parameters += len(missing)

    def _artifacts(self, component: ComponentRecord, run: Any) -> None:
        held = component.output_artifacts
        repository = artifact_repository(run)
        files = list(artifact_files(repository))
        if not files:
            return
        with tempfile.TemporaryDirectory(prefix="trialbook-mlflow-") as scratch:
            for path, size in files:
                name = trialbook_key(path)
                if name in held:
                    if held[name].size != size:
                        self._conflict("artifact", component.name, name, size, held[name].size)
                    continue
                local = Path(repository.download_artifacts(path, scratch))
                relative, sha256, stored_size = self.store.import_artifact_file(local)
                self.store.put_artifact(
                    component.name,
                    direction="output",
                    name=name,
                    value=(self.store.artifact_root / relative).absolute().as_uri(),
                    media_type=mimetypes.guess_type(local.name)[0] or "application/octet-stream",
                    sha256=sha256,
                    size=stored_size,
                    path=relative,
                )
                self.report.artifacts += 1

    def _metrics(self, component: ComponentRecord, run: Any) -> float | None:
        """Append the points past those held; returns the latest point time (seconds)."""
        last_time = None
        for key in run.data.metrics:
            name = trialbook_key(key)
            history = self.client.get_metric_history(run.info.run_id, key)
            points = [
                (int(metric.step), metric.timestamp / 1000.0, float(metric.value))
                for metric in sorted(history, key=lambda metric: (metric.timestamp, metric.step))
            ]
            if points:
                last_time = max(last_time or 0.0, points[-1][1])
            held = component.metrics[name].count if name in component.metrics else 0
            if held > len(points):
                self._conflict("metric", component.name, name, len(points), held)
            elif held < len(points):
                self.report.points += self.store.append_metric_points(
                    {(component.name, name): points[held:]}
                )
        return last_time

    def _status(self, component: ComponentRecord, run: Any, last_time: float | None) -> None:
        status = STATUS_MAP.get(run.info.status, TrialStatus.COMPLETED.value)
        start = run.info.start_time / 1000.0 if run.info.start_time else None
        end = run.info.end_time / 1000.0 if run.info.end_time else None
        wanted = {"status": status, "start_time": start, "end_time": end}
        current = self.store.get_component(component.name)
        stored = current.status
        if stored == TrialStatus.INTERRUPTED.value:  # derived on read, stored as InProgress
            stored = TrialStatus.IN_PROGRESS.value
        have = {"status": stored, "start_time": current.start_time, "end_time": current.end_time}
        changed = {key: value for key, value in wanted.items() if have[key] != value}
        if changed:
            self.store.update_component(component.name, **changed)
            self.report.statuses += 1
        if status == TrialStatus.IN_PROGRESS.value and changed:
            # MLflow has no heartbeat: the run's latest activity stands in for one, so a run
            # whose process died long ago reads as Interrupted, as it would in Trialbook.
            self.store.record_heartbeat([component.name], max(last_time or 0.0, start or 0.0))


def run_variables(runs: list[Any]) -> dict[str, dict[str, Any] | None]:
    """run id → its variable set: the params whose value differs across ``runs`` (a missing
    param counts as a value)."""
    params = {
        run.info.run_id: {trialbook_key(k): parse_param(v) for k, v in run.data.params.items()}
        for run in runs
    }
    keys = sorted({key for values in params.values() for key in values})
    varying = [
        key for key in keys if len({repr(values.get(key)) for values in params.values()}) > 1
    ]
    return {
        run_id: {key: values.get(key) for key in varying} or None
        for run_id, values in params.items()
    }


def run_name(run: Any) -> str:
    """``<run name>-<run id[:8]>``: readable, and unique however often a name is reused."""
    return trialbook_key(f"{run.info.run_name or 'run'}-{run.info.run_id[:8]}")


def variable_space(variables: dict[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    """The declared space: each variable a Choice of the values its runs took."""
    observed: dict[str, set[Any]] = {}
    for variable_set in variables.values():
        for key, value in (variable_set or {}).items():
            observed.setdefault(key, set()).add(value)
    if not observed:
        return None
    space = {
        key: Choice(sorted(values, key=lambda value: (type(value).__name__, str(value))))
        for key, values in observed.items()
    }
    return space_to_json(space)


def artifact_repository(run: Any) -> Any:
    """The run's artifact store, read directly: MlflowClient.download_artifacts re-reads the
    run and probes for logged models on every call (4x slower per file)."""
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    return get_artifact_repository(run.info.artifact_uri)


def artifact_files(repository: Any, path: str | None = None) -> Iterable[tuple[str, int]]:
    """Every artifact file of a run as (path, size), depth first."""
    for info in repository.list_artifacts(path):
        if info.is_dir:
            yield from artifact_files(repository, info.path)
        else:
            yield info.path, info.file_size


def run_provenance(run: Any) -> dict[str, Any]:
    tags = run.data.tags
    provenance: dict[str, Any] = {
        "source": "mlflow",
        "mlflow_run_id": run.info.run_id,
        "mlflow_experiment_id": run.info.experiment_id,
        "mlflow_artifact_uri": run.info.artifact_uri,
    }
    for tag, key in (
        ("mlflow.source.name", "script"),
        ("mlflow.user", "user"),
        ("mlflow.source.type", "source_type"),
    ):
        if tags.get(tag):
            provenance[key] = tags[tag]
    if tags.get("mlflow.source.git.commit"):
        provenance["git"] = {"commit": tags["mlflow.source.git.commit"]}
    return provenance
