"""REST payloads, mirrored by `src/api/types.ts` (a test keeps them in step).

Bump `API_VERSION` with any incompatible change. Non-finite floats travel as the
strings "NaN", "Infinity" and "-Infinity": browsers' `JSON.parse` rejects bare NaN.
Times are ISO 8601 UTC strings, except metric points' wall times (epoch seconds).
"""

from __future__ import annotations

import functools
import json
import math
from datetime import datetime, timezone
from typing import Any, TypedDict

from ..status import ALL_STATUSES
from ..store import TRIAL_METRIC_STATS
from ..wire import json_safe

API_VERSION = 1

STATUSES = ALL_STATUSES

#: Media types a browser shows without running anything; others are sent as attachments.
INERT_MEDIA_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/json",
    }
)

#: Statistics of a metric summary column (`metrics.<key>.<stat>`).
SUMMARY_FIELDS = TRIAL_METRIC_STATS

Number = float | int | str  # str: "NaN", "Infinity", "-Infinity"
ParameterValue = bool | int | float | str


class _ObjectiveBase(TypedDict):
    metric: str
    goal: str
    summary: str  # best | last | max | min | mean


class Objective(_ObjectiveBase, total=False):
    """The claim keys are present only when the objective states a claim."""

    variable: str
    treatment: Any
    control: Any  # a value, a list of values, or None (every other value)
    min_effect: float
    alpha: float


class ExperimentSummary(TypedDict):
    name: str
    description: str | None
    hypothesis: str | None
    objective: Objective | None
    trial_count: int
    status_counts: dict[str, int]
    status: str | None
    creation_time: str
    last_activity: str | None
    verdict: str | None  # None when the experiment states no claim


class ExperimentListResponse(TypedDict):
    api_version: int
    experiments: list[ExperimentSummary]


class ExperimentDetail(ExperimentSummary):
    variables: dict[str, Any] | None
    tags: dict[str, str]
    notes: str | None


class MetricSummary(TypedDict):
    min: Number | None
    max: Number | None
    avg: Number | None
    stddev: Number | None
    last: Number | None
    count: int


class TrialRow(TypedDict):
    name: str
    experiment_name: str
    variables: dict[str, Any] | None
    tags: dict[str, str]
    notes: str | None
    status: str | None
    creation_time: str
    last_activity: str | None
    start_time: str | None
    end_time: str | None
    components: list[str]
    parameters: dict[str, ParameterValue]
    metrics: dict[str, MetricSummary]
    objective_value: Number | None
    provenance: dict[str, Any] | None


class TrialColumns(TypedDict):
    variables: list[str]
    parameters: list[str]
    metrics: list[str]


class TrialTableResponse(TypedDict):
    experiment_name: str
    total: int
    offset: int
    limit: int | None
    sort: str | None
    order: str
    columns: TrialColumns
    trials: list[TrialRow]


class AllTrialsResponse(TypedDict):
    total: int
    offset: int
    limit: int | None
    sort: str | None
    order: str
    columns: TrialColumns
    trials: list[TrialRow]


class Artifact(TypedDict):
    id: int
    component_name: str
    direction: str
    name: str
    value: str
    media_type: str | None
    sha256: str | None
    size: int | None
    has_file: bool
    inert: bool
    creation_time: str


class ComponentDetail(TypedDict):
    name: str
    display_name: str | None
    kind: str | None
    status: str | None
    status_message: str | None
    start_time: str | None
    end_time: str | None
    creation_time: str
    last_modified_time: str
    last_activity: str | None
    tags: dict[str, str]
    notes: str | None
    provenance: dict[str, Any] | None
    parameters: dict[str, ParameterValue]
    input_artifacts: dict[str, Artifact]
    output_artifacts: dict[str, Artifact]
    metrics: dict[str, MetricSummary]
    trial_names: list[str]


class TrialRef(TypedDict):
    name: str
    experiment_name: str


class ComponentWithTrials(ComponentDetail):
    trials: list[TrialRef]


class ComponentListResponse(TypedDict):
    components: list[ComponentDetail]


class TrialDetail(TypedDict):
    name: str
    experiment_name: str
    variables: dict[str, Any] | None
    tags: dict[str, str]
    notes: str | None
    status: str | None
    creation_time: str
    last_modified_time: str
    last_activity: str | None
    components: list[ComponentDetail]


class MetricSeries(TypedDict):
    trial: str | None
    component: str | None
    metric: str
    total_count: int
    window_count: int
    downsampled: bool
    x: list[float]
    y: list[Number]


class MetricSeriesResponse(TypedDict):
    x: str
    max_points: int
    x_min: float | None
    x_max: float | None
    series: list[MetricSeries]


class Change(TypedDict):
    seq: int
    time: str
    kind: str
    entity_type: str
    entity_name: str
    experiment_name: str | None
    payload: dict[str, Any]


class ChangesResponse(TypedDict):
    cursor: int
    changes: list[Change]
    reset: bool


class Claim(TypedDict):
    metric: str
    goal: str
    summary: str
    variable: str
    treatment: Any
    control: Any
    min_effect: float
    alpha: float


class Evidence(TypedDict):
    """The numbers of one comparison; the response repeats the deciding one's at top level."""

    verdict: str | None
    message: str | None
    effect: Number | None
    ci: list[Number] | None
    p_value: Number | None
    effect_size: Number | None
    prob_improvement: Number | None
    n_treatment: int
    n_control: int
    paired: bool
    trials_needed: int | None


class Comparison(Evidence):
    treatment: Any
    control: Any
    metric: str
    text: str  # the claim this comparison belongs to, in words


class EvaluationGroup(TypedDict):
    metric: str
    value: Any
    n: int
    mean: Number | None
    std: Number | None
    ci: list[Number] | None
    values: list[Number]
    trials: list[str]


class EvaluationResponse(Evidence):
    claim: Claim | None  # the first claim, when several were evaluated
    claims: list[Claim]
    text: str | None
    alpha: float | None
    min_effect: float | None
    correction: str | None
    comparisons: list[Comparison]
    groups: list[EvaluationGroup]
    excluded: dict[str, int]


class GroupMetric(TypedDict):
    mean: Number | None
    lo: Number | None
    hi: Number | None
    sd: Number | None
    n: int


class TrialGroup(TypedDict):
    key: dict[str, Any]
    n: int
    trials: list[str]
    metrics: dict[str, GroupMetric]


class TrialGroupsResponse(TypedDict):
    by: list[str]
    spread: str
    groups: list[TrialGroup]


class CoverageSet(TypedDict):
    variables: dict[str, Any]
    status: str  # "Completed", "missing" (no trial) or the trial's other status
    trial: str | None


class CoverageResponse(TypedDict):
    variables: list[str]
    total: int
    missing: int  # sets without a completed trial
    message: str | None  # why there is no grid (a Range without num)
    sets: list[CoverageSet]


class ErrorResponse(TypedDict):
    message: str
    reason: str | None


def iso_time(epoch_seconds: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (``datetime.isoformat``'s form), the form every time
    takes over REST. A trial table holds 40,000 of them: the date part is cached per second."""
    if epoch_seconds is None:
        return None
    fraction, whole = math.modf(epoch_seconds)  # rounded as datetime.fromtimestamp does
    micros, seconds = round(fraction * 1e6), int(whole)
    if micros >= 1_000_000:
        seconds, micros = seconds + 1, micros - 1_000_000
    elif micros < 0:
        seconds, micros = seconds - 1, micros + 1_000_000
    if micros:
        return f"{_iso_second(seconds)}.{micros:06d}+00:00"
    return f"{_iso_second(seconds)}+00:00"


@functools.lru_cache(maxsize=4096)
def _iso_second(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def number(value: Any) -> Any:
    """A float as JSON can carry it: non-finite values become "NaN"/"Infinity"/"-Infinity"."""
    if isinstance(value, float) and value - value != 0.0:
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    return value


def status_text(status: Any) -> str | None:
    return None if status is None else str(getattr(status, "value", status))


def experiment_summary(row: dict[str, Any], verdict: str | None = None) -> ExperimentSummary:
    counts = row.get("status_counts") or {}
    return {
        "name": row["name"],
        "description": row.get("description"),
        "hypothesis": row.get("hypothesis"),
        "objective": row.get("objective"),
        "trial_count": int(row.get("trial_count") or 0),
        "status_counts": {status: int(counts.get(status, 0)) for status in STATUSES},
        "status": status_text(row.get("status")),
        "creation_time": iso_time(row["creation_time"]) or "",
        "last_activity": iso_time(row.get("last_activity")),
        "verdict": verdict,
    }


def experiment_detail(row: dict[str, Any], verdict: str | None = None) -> ExperimentDetail:
    return {
        **experiment_summary(row, verdict),
        "variables": row.get("variables"),
        "tags": row.get("tags") or {},
        "notes": row.get("notes"),
    }


def metric_summary(summary: dict[str, Any]) -> MetricSummary:
    """The SUMMARY_FIELDS of a summary; reuses (and converts in place) a dict that has only
    those, as the trial table's rows do, because the whole table has 50,000 of them."""
    if len(summary) != len(SUMMARY_FIELDS):
        summary = {stat: summary[stat] for stat in SUMMARY_FIELDS}
    for stat in _FLOAT_SUMMARY_FIELDS:
        value = summary[stat]
        if value.__class__ is float and value - value != 0.0:
            summary[stat] = number(value)
    return summary  # type: ignore[return-value]


_FLOAT_SUMMARY_FIELDS = tuple(stat for stat in TRIAL_METRIC_STATS if stat != "count")


def parameters(values: dict[str, Any]) -> dict[str, ParameterValue]:
    """Parameter values with non-finite floats as strings (a copy)."""
    converted = dict(values)
    for name, value in values.items():
        if value.__class__ is float and value - value != 0.0:
            converted[name] = number(value)
    return converted


def trial_row(row: dict[str, Any]) -> TrialRow:
    """A trial table row. Non-finite numbers are left to ``dumps_rows``, which converts only
    the rows holding one: this runs 10,000 times for one large table."""
    metrics = row.get("metrics") or {}
    for key, summary in metrics.items():
        if len(summary) != len(SUMMARY_FIELDS):
            metrics[key] = {stat: summary[stat] for stat in SUMMARY_FIELDS}
    return {
        "name": row["name"],
        "experiment_name": row["experiment_name"],
        "variables": row.get("variables"),
        "tags": row.get("tags") or {},
        "notes": row.get("notes"),
        "status": status_text(row.get("status")),
        "creation_time": iso_time(row["creation_time"]) or "",
        "last_activity": iso_time(row.get("last_activity")),
        "start_time": iso_time(row.get("start_time")),
        "end_time": iso_time(row.get("end_time")),
        "components": list(row.get("components") or []),
        "parameters": row.get("parameters") or {},
        "metrics": metrics,  # type: ignore[typeddict-item]
        "objective_value": row.get("objective_value"),
        "provenance": row.get("provenance"),
    }


def artifact(record: dict[str, Any]) -> Artifact:
    media_type = record.get("media_type")
    return {
        "id": record["id"],
        "component_name": record["component_name"],
        "direction": record["direction"],
        "name": record["name"],
        "value": record["value"],
        "media_type": media_type,
        "sha256": record.get("sha256"),
        "size": record.get("size"),
        "has_file": bool(record.get("path")),
        "inert": is_inert(media_type),
        "creation_time": iso_time(record["creation_time"]) or "",
    }


def is_inert(media_type: str | None) -> bool:
    """Whether a browser may show this type inline on the Jupyter origin."""
    if not media_type:
        return False
    return media_type.split(";", 1)[0].strip().lower() in INERT_MEDIA_TYPES


def component_detail(record: dict[str, Any]) -> ComponentDetail:
    return {
        "name": record["name"],
        "display_name": record.get("display_name"),
        "kind": record.get("kind"),
        "status": status_text(record.get("status")),
        "status_message": record.get("status_message"),
        "start_time": iso_time(record.get("start_time")),
        "end_time": iso_time(record.get("end_time")),
        "creation_time": iso_time(record["creation_time"]) or "",
        "last_modified_time": iso_time(record["last_modified_time"]) or "",
        "last_activity": iso_time(record.get("last_activity")),
        "tags": record.get("tags") or {},
        "notes": record.get("notes"),
        "provenance": record.get("provenance"),
        "parameters": parameters(record.get("parameters") or {}),
        "input_artifacts": {
            name: artifact(value) for name, value in (record.get("input_artifacts") or {}).items()
        },
        "output_artifacts": {
            name: artifact(value) for name, value in (record.get("output_artifacts") or {}).items()
        },
        "metrics": {
            name: metric_summary(value) for name, value in (record.get("metrics") or {}).items()
        },
        "trial_names": list(record.get("trial_names") or []),
    }


def component_with_trials(record: dict[str, Any]) -> ComponentWithTrials:
    return {**component_detail(record), "trials": list(record.get("trials") or [])}


def trial_detail(record: dict[str, Any]) -> TrialDetail:
    return {
        "name": record["name"],
        "experiment_name": record["experiment_name"],
        "variables": record.get("variables"),
        "tags": record.get("tags") or {},
        "notes": record.get("notes"),
        "status": status_text(record.get("status")),
        "creation_time": iso_time(record["creation_time"]) or "",
        "last_modified_time": iso_time(record["last_modified_time"]) or "",
        "last_activity": iso_time(record.get("last_activity")),
        "components": [component_detail(c) for c in record.get("components") or []],
    }


def change(record: dict[str, Any]) -> Change:
    return {
        "seq": record["seq"],
        "time": iso_time(record["time"]) or "",
        "kind": record["kind"],
        "entity_type": record["entity_type"],
        "entity_name": record["entity_name"],
        "experiment_name": record.get("experiment_name"),
        "payload": record.get("payload") or {},
    }


def dumps(payload: Any) -> str:
    """JSON text a browser can parse: non-finite floats become strings.

    Builders above already convert the floats they know about, so the fast path (the C
    encoder refusing NaN) almost always succeeds; the walk is the safety net.
    """
    try:
        return _ENCODER.encode(payload)
    except ValueError:
        return _ENCODER.encode(json_safe(payload))


def dumps_rows(payload: dict[str, Any], rows_key: str) -> str:
    """``dumps`` for a payload whose last key holds many rows: each row is encoded on its own,
    so a NaN in one row costs a walk of that row only."""
    keys = list(payload)
    assert keys[-1] == rows_key, f"{rows_key!r} must be the payload's last key"
    head = dumps({**payload, rows_key: []})
    body = ",".join([dumps(row) for row in payload[rows_key]])
    return f"{head[:-2]}{body}]}}"


# Payloads are fresh trees (no cycles); UTF-8 text is shorter and cheaper than \u escapes.
_ENCODER = json.JSONEncoder(
    allow_nan=False, separators=(",", ":"), check_circular=False, ensure_ascii=False
)
