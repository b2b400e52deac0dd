"""The plain records that cross the store interface (see ``interface.py``).

Everything here is plain Python data (str, int, float, bool, None, dict, list and these
dataclasses), named by entity names, so the REST layer can JSON-encode it and no backend's
types leak out. Times are epoch float seconds (UTC); NaN metric values are ``float("nan")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from trialbook.errors import ValidationError
from trialbook.store.core.columns import parse_trial_column
from trialbook.store.core.query import parse as parse_query
from trialbook.store.core.vocabulary import TRIAL_FILTER_OPERATORS

ParameterValue = bool | int | float | str
Direction = Literal["input", "output"]
OwnerKind = Literal["trial", "component"]

#: One buffered metric point of a series: (step, wall_time, value).
MetricPoint = tuple[int, float, float]
#: A metric series: (component_name, metric_name).
SeriesKey = tuple[str, str]


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


@dataclass
class TrialFilter:
    column: str  # a fixed column, "variables.<v>", "parameters.<p>" or "metrics.<m>.<stat>"
    op: str  # one of TRIAL_FILTER_OPERATORS
    value: Any


@dataclass
class TrialQuery:
    """Sort, filters, status filter, search, query and page of a trial table.

    ``search`` is the one search rule (a trial's name or a variable's ``name=value`` contains
    the text, ignoring case); ``query`` a query in the language of docs/query.md."""

    sort: str | None = None
    descending: bool = False
    filters: list[TrialFilter] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    search: str | None = None
    offset: int = 0
    limit: int | None = None
    query: str | None = None

    def validate(self) -> None:
        """ValidationError for a bad sort or filter, QueryError for a query that does not
        parse (names are checked against the experiments when the table is read)."""
        if self.query is not None:
            parse_query(self.query)
        if self.sort is not None:
            parse_trial_column(self.sort, "sort")
        for trial_filter in self.filters:
            parse_trial_column(trial_filter.column, "filter column")
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


@dataclass
class RunStart:
    """What ``Store.start_run`` needs besides the trial: the new attempt's fields."""

    trial_name: str  # used when the variable set has no trial yet
    variables: dict[str, Any] | None
    identity: str | None
    rerun: bool
    provenance: dict[str, Any] | None
    start_time: float
    parameters: Mapping[str, ParameterValue]


@dataclass
class GridCells:
    """Every component's cells when each has the same names (``core/grid.py``): ``rows``,
    one a (component, name) in component id then name order, each with its ``width`` cells
    from ``offset``; ``names``: a component's names in that order; ``blocks``: for each
    frame row, the position of its component among the components read (None: it has
    none), or None when the frame rows are those components in order."""

    names: list[str]
    rows: list[tuple[Any, ...]]
    offset: int = 0
    blocks: list[int | None] | None = None


@dataclass
class PivotColumns:
    """Values kept a row per (component, name) as columns (``core/pivot.py``): ``blocks`` of
    result rows, each row a row id then ``width`` cells a name, at the offset ``names``
    gives (the first cell is None only where the row has no such name), or instead a
    ``grid`` when every component has the same names; ``order``: name → (index of the
    first row that has it, its rank among that row's names)."""

    width: int
    blocks: list[tuple[list[tuple[Any, ...]], dict[str, int]]] = field(default_factory=list)
    order: dict[str, tuple[int, int]] = field(default_factory=dict)
    grid: GridCells | None = None


@dataclass
class TrialFrameRows:
    """``trials``: (id, name, status, creation time, start time, end time, variables JSON,
    sole component id or None) oldest first; ``metrics``: the ``ACCUMULATORS`` of each
    trial's sole component's series, a row a trial; ``general``: trial id → its
    ``trial_rows`` row (without parameters and provenance) for the trials without a sole
    component."""

    trials: list[tuple[Any, ...]]
    metrics: PivotColumns
    general: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ComponentFrameRows:
    """An experiment's components for ``ExperimentAnalytics``, oldest first.

    ``components``: (id, name, display name, creation time); ``parameters``: cells
    ``Dialect.parameter_cells`` (kind, then the value), ``metrics``: the ``ACCUMULATORS``;
    per component, ``artifacts`` (direction, name, value, media type) oldest first, its
    ``trials`` and their ``experiments``."""

    components: list[tuple[Any, ...]]
    parameters: PivotColumns
    metrics: PivotColumns
    artifacts: list[list[tuple[Any, ...]]]
    trials: list[list[str]]
    experiments: list[list[str]]
