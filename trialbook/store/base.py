"""The one store interface; SQLite implements it today, PostgreSQL later.

Everything crossing this interface is plain Python data (str, int, float, bool, None, dict,
list and the dataclasses below), named by entity names (unique per store), so the REST layer
can JSON-encode it and a second implementation needs no SQLite types. Times are epoch float
seconds (UTC). Statuses returned by reads are *derived* (Interrupted computed on read).
NaN metric values are returned as ``float("nan")``; the REST layer turns them into strings.
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

ParameterValue = bool | int | float | str
Direction = Literal["input", "output"]
OwnerKind = Literal["trial", "component"]

#: One buffered metric point of a series: (step, wall_time, value).
MetricPoint = tuple[int, float, float]
#: A metric series: (component_name, metric_name).
SeriesKey = tuple[str, str]

#: Summary statistics kept per (component, metric) at write time.
SUMMARY_STATS = ("Min", "Max", "Avg", "StdDev", "Last", "Count")


@dataclass
class ExperimentRecord:
    name: str
    description: str | None
    hypothesis: str | None
    objective: dict[str, Any] | None
    variables: dict[str, Any] | None  # JSON form of the variable space (see variables.py)
    tags: dict[str, str]
    notes: str | None
    creation_time: float
    last_modified_time: float
    last_activity: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrialRecord:
    name: str
    experiment_name: str
    variables: dict[str, Any] | None
    identity: str | None  # canonical JSON of the variable set; None when no set is given
    tags: dict[str, str]
    notes: str | None
    creation_time: float
    last_modified_time: float
    last_activity: float
    status: str | None = None  # derived from the trial's components on read

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ArtifactRecord:
    id: int
    component_name: str
    direction: Direction
    name: str
    value: str  # a URI or a literal value
    media_type: str | None
    sha256: str | None
    size: int | None
    path: str | None  # relative to the artifact root when the file was copied into it
    creation_time: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MetricSummary:
    metric: str
    count: int
    min: float | None  # None when every point is NaN
    max: float | None
    avg: float | None
    stddev: float | None  # population standard deviation (ddof 0)
    last: float | None
    last_step: int | None
    last_time: float | None
    first_time: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def stat(self, name: str) -> float | int | None:
        """Value of one of SUMMARY_STATS ("Min", "Max", "Avg", "StdDev", "Last", "Count")."""
        return {
            "Min": self.min,
            "Max": self.max,
            "Avg": self.avg,
            "StdDev": self.stddev,
            "Last": self.last,
            "Count": self.count,
        }[name]


@dataclass
class ComponentRecord:
    name: str
    display_name: str | None
    kind: str | None
    status: str | None  # derived
    status_message: str | None
    start_time: float | None
    end_time: float | None
    creation_time: float
    last_modified_time: float
    last_activity: float
    heartbeat_time: float | None
    tags: dict[str, str]
    notes: str | None
    provenance: dict[str, Any] | None
    parameters: dict[str, ParameterValue] = field(default_factory=dict)
    input_artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)
    output_artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    trial_names: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SeriesPoints:
    """Points of one metric series, possibly downsampled from min/max buckets."""

    owner_kind: OwnerKind
    owner_name: str
    metric: str
    component_name: str | None
    total_count: int
    downsampled: bool
    steps: list[int]
    times: list[float]
    values: list[float]
    #: Points in the requested x window before downsampling (``total_count`` without one).
    window_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Change:
    seq: int
    time: float
    kind: str  # e.g. "experiment.created", "trial.status", "metrics.appended", "deleted"
    entity_type: str  # "experiment" | "trial" | "component" | "artifact"
    entity_name: str
    experiment_name: str | None
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Vocabulary of the trial table (mirrored by the frontend's types).
TRIAL_FIXED_COLUMNS = (
    "name",
    "status",
    "creation_time",
    "last_activity",
    "start_time",
    "end_time",
    "objective_value",
)
TRIAL_METRIC_STATS = ("min", "max", "avg", "stddev", "last", "count")
TRIAL_FILTER_OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "contains")


@dataclass
class TrialFilter:
    column: str  # a fixed column, "variables.<v>", "parameters.<p>" or "metrics.<m>.<stat>"
    op: str  # one of TRIAL_FILTER_OPERATORS
    value: Any


@dataclass
class TrialQuery:
    """Sort, filters, status filter, name search and page of a trial table."""

    sort: str | None = None
    descending: bool = False
    filters: list[TrialFilter] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    search: str | None = None
    offset: int = 0
    limit: int | None = None

    def validate(self) -> None:
        from trialbook.errors import ValidationError

        if self.sort is not None:
            _check_column(self.sort, "sort")
        for trial_filter in self.filters:
            _check_column(trial_filter.column, "filter column")
            if trial_filter.op not in TRIAL_FILTER_OPERATORS:
                raise ValidationError(
                    f"filter op {trial_filter.op!r}: use one of {', '.join(TRIAL_FILTER_OPERATORS)}"
                )


@dataclass
class TrialTable:
    total: int  # rows matching the filters, before paging
    variables: list[str]
    parameters: list[str]
    metrics: list[str]
    rows: list[dict[str, Any]]


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
    def delete_component(self, name: str, *, force_disassociate: bool = False) -> None:
        """Delete a component; refuses while it is in a trial unless ``force_disassociate``."""

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
    def trial_rows(self, experiment_name: str) -> list[dict[str, Any]]:
        """One dict per trial of an experiment (oldest first) in a few set-based queries:
        name, experiment_name, variables, tags, notes, creation_time, last_activity, status,
        start_time, end_time, components [names], parameters {name: value}, metrics
        {key: MetricSummary dict}, objective_value, provenance (of the latest component)."""

    def trial_table(self, experiment_name: str, query: TrialQuery) -> TrialTable:
        """``trial_rows`` filtered, sorted and paged (None and NaN sort last either way).
        Implementations may override this with a query that does the work in the database."""
        rows = self.trial_rows(experiment_name)
        variables: dict[str, None] = {}
        parameters: dict[str, None] = {}
        metrics: dict[str, None] = {}
        for row in rows:
            variables.update(dict.fromkeys(row["variables"] or {}))
            parameters.update(dict.fromkeys(row["parameters"]))
            metrics.update(dict.fromkeys(row["metrics"]))
        if query.statuses:
            rows = [row for row in rows if row["status"] in query.statuses]
        if query.search:
            needle = query.search.casefold()
            rows = [row for row in rows if needle in row["name"].casefold()]
        for trial_filter in query.filters:
            rows = [
                row
                for row in rows
                if _matches(
                    column_value(row, trial_filter.column), trial_filter.op, trial_filter.value
                )
            ]
        if query.sort:
            present = [row for row in rows if _sortable(column_value(row, query.sort))]
            missing = [row for row in rows if not _sortable(column_value(row, query.sort))]
            present.sort(
                key=lambda row: _sort_key(column_value(row, query.sort)), reverse=query.descending
            )
            rows = present + missing
        total = len(rows)
        end = None if query.limit is None else query.offset + query.limit
        return TrialTable(
            total, list(variables), list(parameters), list(metrics), rows[query.offset : end]
        )

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


# -- shared rules every implementation applies on read ---------------------------------------


def trial_metric_keys(
    components: Sequence[tuple[str, str | None, float, Sequence[str]]],
) -> dict[str, tuple[str, str]]:
    """Column keys of a trial's metrics → (component name, metric name).

    ``components`` are the trial's own (unshared) components as
    ``(name, display_name, started, metric_names)``. A metric logged by one component keeps its
    name; a clash between components becomes ``"<display_name>/<metric>"`` (the component name
    when display names clash too).
    """
    owners: dict[str, list[tuple[str, str | None]]] = {}
    for name, display_name, _, metrics in sorted(components, key=lambda c: c[2]):
        for metric in metrics:
            owners.setdefault(metric, []).append((name, display_name))
    keys: dict[str, tuple[str, str]] = {}
    for metric, holders in owners.items():
        if len(holders) == 1:
            keys[metric] = (holders[0][0], metric)
            continue
        labels = [display or name for name, display in holders]
        for (name, _display), label in zip(holders, labels, strict=False):
            prefix = label if labels.count(label) == 1 else name
            keys[f"{prefix}/{metric}"] = (name, metric)
    return keys


def objective_value(
    objective: Mapping[str, Any] | None,
    components: Sequence[tuple[float, Mapping[str, MetricSummary]]],
) -> float | None:
    """A trial's objective value: from its most recently started own component that logged the
    objective metric; ``summary`` "best" (max or min by ``goal``) or "last"."""
    if not objective:
        return None
    metric = objective.get("metric")
    candidates = [
        (started, metrics[metric]) for started, metrics in components if metric in metrics
    ]
    if not candidates:
        return None
    summary = max(candidates, key=lambda candidate: candidate[0])[1]
    if objective.get("summary", "best") == "last":
        return summary.last
    return summary.max if objective.get("goal", "maximize") == "maximize" else summary.min


def column_value(row: Mapping[str, Any], column: str) -> Any:
    """The value of a trial-table column id in a ``trial_rows`` row (None when absent)."""
    if column in TRIAL_FIXED_COLUMNS:
        return row.get(column)
    group, _, rest = column.partition(".")
    if group == "variables":
        return (row.get("variables") or {}).get(rest)
    if group == "parameters":
        return row.get("parameters", {}).get(rest)
    if group == "metrics":
        metric, _, stat = rest.rpartition(".")
        summary = row.get("metrics", {}).get(metric)
        return None if summary is None else summary.get(stat)
    return None


def _check_column(column: str, what: str) -> None:
    from trialbook.errors import ValidationError

    if column in TRIAL_FIXED_COLUMNS:
        return
    group, _, rest = column.partition(".")
    if group in ("variables", "parameters") and rest:
        return
    if group == "metrics":
        metric, _, stat = rest.rpartition(".")
        if metric and stat in TRIAL_METRIC_STATS:
            return
        raise ValidationError(
            f"{what} {column!r}: use metrics.<metric>.<{'|'.join(TRIAL_METRIC_STATS)}>"
        )
    raise ValidationError(
        f"{what} {column!r}: use one of {', '.join(TRIAL_FIXED_COLUMNS)}, variables.<name>, "
        f"parameters.<name> or metrics.<metric>.<{'|'.join(TRIAL_METRIC_STATS)}>"
    )


def _sortable(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def _matches(actual: Any, op: str, expected: Any) -> bool:
    if op == "contains":
        return actual is not None and str(expected).casefold() in str(actual).casefold()
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if not _sortable(actual) or expected is None:
        return False
    try:
        if op == "lt":
            return bool(actual < expected)
        if op == "le":
            return bool(actual <= expected)
        if op == "gt":
            return bool(actual > expected)
        return bool(actual >= expected)
    except TypeError:
        return False


@dataclass(frozen=True)
class TrialColumn:
    """A parsed trial-table column id: ``group`` "fixed" (``key`` is the column),
    "variables", "parameters" or "metrics" (with ``stat`` one of TRIAL_METRIC_STATS)."""

    group: str
    key: str
    stat: str | None = None


def parse_trial_column(column: str) -> TrialColumn:
    """Split a column id; ValidationError (naming what is allowed) for an unknown one."""
    _check_column(column, "column")
    if column in TRIAL_FIXED_COLUMNS:
        return TrialColumn("fixed", column)
    group, _, rest = column.partition(".")
    if group == "metrics":
        metric, _, stat = rest.rpartition(".")
        return TrialColumn(group, metric, stat)
    return TrialColumn(group, rest)
