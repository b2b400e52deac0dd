"""The one store interface every backend implements (through ``SqlStore``).

Writes validate nothing beyond integrity (the public API validates at its boundary) and raise
NotFoundError / AlreadyExistsError / ValidationError from ``trialbook.errors``. Statuses
returned by reads are *derived* (Interrupted computed on read, see ``statuses.py``).
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from trialbook.store.core.records import (
    ArtifactRecord,
    Change,
    ComponentFrameRows,
    ComponentRecord,
    Direction,
    ExperimentRecord,
    MetricPoint,
    MetricSummary,
    OwnerKind,
    ParameterValue,
    RunStart,
    SeriesKey,
    SeriesPoints,
    TrialFrameRows,
    TrialQuery,
    TrialRecord,
    TrialTable,
)


class Store(abc.ABC):
    """Durable storage for experiments, trials, components, metrics and artifacts.

    Writes validate nothing beyond integrity (the public API validates at its boundary) and
    raise NotFoundError / AlreadyExistsError / ValidationError from ``trialbook.errors``.
    Every write transaction appends to the change feed (heartbeats excepted).
    """

    #: Where copied artifact files live; ``ArtifactRecord.path`` is relative to it.
    artifact_root: Path

    # -- in-process observers of committed writes --------------------------------------------
    def add_change_listener(self, listener: Callable[[list[Change]], None]) -> None:
        """Call ``listener`` with the change rows of each write transaction this process
        commits, right after the commit, on the writing thread. Listeners must be quick and
        must not write to the store. (The kernel bridge uses this to announce writes live.)"""
        self.__dict__.setdefault("_change_listeners", []).append(listener)

    def watch_changes(self, callback: Callable[[int | None], None]) -> bool:
        """Call ``callback`` (on another thread) whenever any process commits a write, with
        the feed's cursor when known. False when the store cannot push (SQLite: poll
        ``latest_change_cursor`` instead)."""
        return False

    def remove_change_listener(self, listener: Callable[[list[Change]], None]) -> None:
        listeners = self.__dict__.get("_change_listeners", [])
        if listener in listeners:
            listeners.remove(listener)

    def _notify_change_listeners(self, changes: list[Change]) -> None:
        for listener in self.__dict__.get("_change_listeners", ()):
            try:
                listener(changes)
            except Exception:  # an observer must never break a write
                logging.getLogger("trialbook").exception("A change listener failed")

    # -- lifecycle -------------------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None:
        """Close this process's connections."""

    @abc.abstractmethod
    def reset_after_fork(self) -> None:
        """Forget connections inherited from the parent process (called in a forked child)."""

    # -- experiments -----------------------------------------------------------------------
    @abc.abstractmethod
    def create_experiment(
        self,
        name: str,
        *,
        description: str | None,
        hypothesis: str | None,
        objective: dict[str, Any] | None,
        variables: dict[str, Any] | None,
        tags: Mapping[str, str],
    ) -> ExperimentRecord:
        """Create an experiment; AlreadyExistsError (with ``.existing``) if the name is taken."""

    @abc.abstractmethod
    def get_experiment(self, name: str) -> ExperimentRecord:
        """One experiment; NotFoundError if there is none of that name."""

    @abc.abstractmethod
    def list_experiments(self) -> list[ExperimentRecord]:
        """All experiments, oldest first."""

    @abc.abstractmethod
    def update_experiment(self, name: str, **fields: Any) -> ExperimentRecord:
        """Change description, hypothesis, objective, variables, tags and/or notes."""

    @abc.abstractmethod
    def delete_experiment(self, name: str, *, force: bool = False) -> None:
        """Delete an experiment. Without ``force`` it must have no trials. With ``force`` its
        trials go too, with the components used only by them and their artifact files;
        components also used by other experiments' trials are only disassociated."""

    # -- trials ----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_trial(
        self,
        name: str,
        *,
        experiment_name: str,
        variables: dict[str, Any] | None,
        identity: str | None,
        tags: Mapping[str, str],
    ) -> TrialRecord:
        """Create a trial. AlreadyExistsError if the name is taken or, within the experiment,
        another trial has the same ``identity`` (``.existing`` is that trial's record)."""

    @abc.abstractmethod
    def get_trial(self, name: str) -> TrialRecord:
        """One trial with its derived status; NotFoundError if unknown."""

    @abc.abstractmethod
    def find_trial(self, experiment_name: str, identity: str) -> TrialRecord | None:
        """The trial of an experiment whose variable-set identity is ``identity``."""

    @abc.abstractmethod
    def list_trials(
        self, *, experiment_name: str | None = None, component_name: str | None = None
    ) -> list[TrialRecord]:
        """Trials (oldest first), optionally of one experiment and/or containing a component."""

    @abc.abstractmethod
    def update_trial(self, name: str, **fields: Any) -> TrialRecord:
        """Change tags and/or notes of a trial."""

    @abc.abstractmethod
    def delete_trial(self, name: str, *, force: bool = False) -> None:
        """Delete a trial. Without ``force`` it must have no components. With ``force`` the
        components used only by it are deleted, shared ones disassociated."""

    # -- components ------------------------------------------------------------------------
    @abc.abstractmethod
    def create_component(
        self,
        name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Mapping[str, str],
        provenance: dict[str, Any] | None,
        status: str | None = None,
        start_time: float | None = None,
    ) -> ComponentRecord:
        """Create a trial component (unassigned); AlreadyExistsError if the name is taken."""

    @abc.abstractmethod
    def get_component(self, name: str) -> ComponentRecord:
        """One component with parameters, artifacts, metric summaries and trial names."""

    @abc.abstractmethod
    def list_components(
        self,
        *,
        trial_name: str | None = None,
        experiment_name: str | None = None,
        unassigned: bool = False,
    ) -> list[ComponentRecord]:
        """Components (oldest first, full records): of a trial, of an experiment's trials,
        only those in no trial (``unassigned=True``), or all."""

    @abc.abstractmethod
    def update_component(self, name: str, **fields: Any) -> ComponentRecord:
        """Change display_name, kind, status, status_message, start_time, end_time, tags,
        notes. Setting status InProgress also refreshes the heartbeat."""

    @abc.abstractmethod
    def start_run(
        self, experiment_name: str, run: RunStart
    ) -> tuple[TrialRecord, ComponentRecord | None]:
        """``exp.run`` in one transaction: find or create the trial of ``run.identity``
        (named ``run.trial_name`` when new), then, unless it is InProgress (or Completed
        without ``run.rerun``: the component is then None), its next InProgress training
        attempt in the trial with ``run.parameters``."""

    @abc.abstractmethod
    def finish_component(
        self, component_name: str, batches: Mapping[SeriesKey, Sequence[MetricPoint]], **fields: Any
    ) -> None:
        """Append ``batches`` (as ``append_metric_points``) and update the component's
        fields (as ``update_component``) in one transaction: closing a tracker."""

    @abc.abstractmethod
    def delete_component(self, name: str, *, force_disassociate: bool = False) -> None:
        """Delete a component; refuses while it is in a trial unless ``force_disassociate``."""

    @abc.abstractmethod
    def start_attempt(
        self,
        trial_name: str,
        component_name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Mapping[str, str],
        provenance: dict[str, Any] | None,
        start_time: float | None,
    ) -> ComponentRecord:
        """Create an InProgress component in a trial as its running attempt, atomically;
        AlreadyExistsError (``existing``: the TrialRecord) while another attempt of the trial
        runs (InProgress with a fresh heartbeat), or (the ComponentRecord) if the name is
        taken."""

    @abc.abstractmethod
    def associate(self, trial_name: str, component_name: str) -> None:
        """Add a component to a trial (idempotent)."""

    @abc.abstractmethod
    def disassociate(self, trial_name: str, component_name: str) -> None:
        """Remove a component from a trial (idempotent)."""

    @abc.abstractmethod
    def set_parameters(
        self, component_name: str, parameters: Mapping[str, ParameterValue], *, replace: bool
    ) -> None:
        """Upsert parameters (re-logging overwrites); ``replace`` drops the others first."""

    @abc.abstractmethod
    def import_artifact_file(self, file_path: Path) -> tuple[str, str, int]:
        """Copy a file into the artifact root; returns (relative path, sha256, size)."""

    @abc.abstractmethod
    def put_artifact(
        self,
        component_name: str,
        *,
        direction: Direction,
        name: str,
        value: str,
        media_type: str | None,
        sha256: str | None = None,
        size: int | None = None,
        path: str | None = None,
    ) -> ArtifactRecord:
        """Record an input or output artifact; the same (direction, name) overwrites."""

    @abc.abstractmethod
    def get_artifact(self, artifact_id: int) -> ArtifactRecord:
        """One artifact by id; NotFoundError if unknown."""

    def artifact_file(self, artifact: ArtifactRecord) -> Path | None:
        """Absolute path of an artifact's copied file, or None (never outside the root)."""
        if not artifact.path:
            return None
        root = self.artifact_root.resolve()
        candidate = (root / artifact.path).resolve()
        if not candidate.is_relative_to(root):
            return None
        return candidate

    # -- metrics ---------------------------------------------------------------------------
    @abc.abstractmethod
    def append_metric_points(self, batches: Mapping[SeriesKey, Sequence[MetricPoint]]) -> int:
        """Append each series' points (in logging order) in one transaction, updating
        summaries and buckets; returns how many were written (points of unknown components
        are dropped)."""

    @abc.abstractmethod
    def record_heartbeat(self, component_names: Sequence[str], when: float) -> None:
        """Refresh the heartbeat of live components (no change-feed row)."""

    @abc.abstractmethod
    def metric_summaries(
        self, component_names: Sequence[str]
    ) -> dict[str, dict[str, MetricSummary]]:
        """component name → metric name → summary."""

    @abc.abstractmethod
    def metric_points(self, component_name: str, metric: str) -> SeriesPoints:
        """Every raw point of one series, in logging order."""

    @abc.abstractmethod
    def metric_series(
        self,
        requests: Sequence[tuple[OwnerKind, str, str]],
        *,
        max_points: int = 1000,
        x: Literal["step", "time"] = "step",
        x_min: float | None = None,
        x_max: float | None = None,
    ) -> list[SeriesPoints]:
        """Series for many ``(owner_kind, owner_name, metric)``; a trial's metric may be a
        ``"<display_name>/<metric>"`` key. Only points with ``x_min <= x <= x_max`` (``x`` the
        step or the wall time in epoch seconds; either bound optional) are served: raw when
        they fit in ``max_points``, else between ``max_points / 2`` and ``max_points`` points
        keeping every group's extremes (min, max, a NaN) and the window's first and last
        points, read from the min/max buckets when the window is long. Unknown requests are
        skipped."""

    # -- reads for the server --------------------------------------------------------------
    @abc.abstractmethod
    def list_experiment_summaries(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """One dict per experiment (oldest first), or per experiment in ``names``: name,
        description, hypothesis, objective, variables, tags, notes, creation_time,
        last_activity, trial_count, status_counts {status: n for every status}, status."""

    def experiment_summary(self, name: str) -> dict[str, Any]:
        """``list_experiment_summaries`` of one experiment; NotFoundError if there is none."""
        rows = self.list_experiment_summaries([name])
        if not rows:
            self.get_experiment(name)  # raises NotFoundError naming close matches
        return rows[0]

    @abc.abstractmethod
    def trial_rows(
        self, experiment_name: str, *, parameters: bool = True, provenance: bool = True
    ) -> list[dict[str, Any]]:
        """One dict per trial of an experiment (oldest first), exactly the rows of
        ``trial_table``: name, experiment_name, variables, tags, notes, creation_time,
        last_activity, status, start_time, end_time, components [names], parameters
        {name: value}, metrics {key: {TRIAL_METRIC_STATS}}, objective_value, provenance (of
        the latest component that has one, without its bulky fields). Without
        ``parameters`` (or ``provenance``) those are left empty ({} and None) and not read:
        a DataFrame of 100,000 trials needs neither."""

    @abc.abstractmethod
    def trial_frame_rows(self, experiment_name: str) -> TrialFrameRows:
        """An experiment's trials in bulk for ``Experiment.dataframe()``: the values of
        ``trial_rows`` it shows, flat for the trials with a sole component (see
        ``core/frame_rows.py``)."""

    @abc.abstractmethod
    def component_frame_rows(
        self, experiment_name: str, query: str | None = None
    ) -> ComponentFrameRows:
        """An experiment's trial components in bulk for ``ExperimentAnalytics``, those of
        the trials ``query`` matches when given (see ``core/component_frame.py``)."""

    @abc.abstractmethod
    def trial_table(self, experiment_name: str, query: TrialQuery) -> TrialTable:
        """The rows of ``trial_rows`` that match ``query``'s status filter, name search and
        filters, sorted (None and NaN last either way) and paged, all in the database; with
        the column names (variables, parameters, metric keys) of the whole experiment."""

    @abc.abstractmethod
    def all_trials_table(self, query: TrialQuery) -> TrialTable:
        """``trial_table`` across every experiment: each row has its ``experiment_name`` and
        its own experiment's objective value; the columns are the union of theirs."""

    @abc.abstractmethod
    def search_trials(
        self, query: str, experiment_names: Sequence[str] | None = None
    ) -> list[TrialRecord]:
        """The trials of these experiments (default: all) that ``query`` (docs/query.md)
        matches, oldest first: the rows ``trial_table`` gives for the same query."""

    @abc.abstractmethod
    def trial_detail(self, name: str) -> dict[str, Any]:
        """A trial's record as a dict plus ``components``: full component dicts."""

    @abc.abstractmethod
    def component_detail(self, name: str) -> dict[str, Any]:
        """A component's record as a dict plus ``trials``: [{name, experiment_name}]."""

    # -- change feed -----------------------------------------------------------------------
    @abc.abstractmethod
    def changes_since(self, cursor: int, limit: int = 1000) -> list[Change]:
        """Changes with ``seq > cursor``, oldest first, at most ``limit``."""

    @abc.abstractmethod
    def latest_change_cursor(self) -> int:
        """The highest change seq (0 when empty)."""

    @abc.abstractmethod
    def oldest_change_cursor(self) -> int:
        """The lowest change seq still kept (0 when empty); a client behind it must reset."""
