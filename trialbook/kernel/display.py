"""Rich display in notebooks: Trialbook's MIME bundles, with fallbacks that read anywhere.

Every bundle carries `application/vnd.trialbook.<kind>+json` (the JupyterLab extension
renders it live), `text/plain`, and `text/html` built only from escaped text and numbers
(a saved notebook shows it on GitHub or nbviewer, where the extension is not installed).
"""

from __future__ import annotations

import html
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from trialbook.errors import ValidationError
from trialbook.store import MetricSummary, OwnerKind, SeriesPoints, metric_writer, open_store
from trialbook.variables import space_to_json
from trialbook.wire import json_safe


# What the views read of the public objects (Experiment, Trial, TrialComponent, a Tracker's
# component): protocols, so this module never imports the classes that display through it.
class ExperimentView(Protocol):
    experiment_name: str
    description: str | None
    hypothesis: str | None
    objective: dict[str, Any] | None
    variables: Mapping[str, Any] | None


class TrialView(Protocol):
    trial_name: str
    experiment_name: str
    status: Any
    variables: dict[str, Any] | None


class ComponentView(Protocol):
    trial_component_name: str
    display_name: str | None
    kind: str | None
    status: Any
    trial_names: list[str]
    parameters: dict[str, Any]
    input_artifacts: dict[str, Any]
    output_artifacts: dict[str, Any]
    metrics: dict[str, MetricSummary]


DISPLAY_VERSION = 1
X_AXES = ("step", "time", "relative")
SPARKLINE_POINTS = 60
CHART_POINTS = 300


def mime_type(kind: str) -> str:
    return f"application/vnd.trialbook.{kind}+json"


# -- inline views of objects ------------------------------------------------------------------
def experiment_bundle(experiment: ExperimentView) -> dict[str, Any]:
    summary = open_store().experiment_summary(experiment.experiment_name)
    counts = {status: n for status, n in summary["status_counts"].items() if n}
    payload = {
        "version": DISPLAY_VERSION,
        "kind": "experiment",
        "name": experiment.experiment_name,
        "hypothesis": experiment.hypothesis,
        "objective": experiment.objective,
        "variables": space_to_json(experiment.variables),
        "trial_count": summary["trial_count"],
        "status_counts": counts,
    }
    rows = [
        ("Hypothesis", _text(experiment.hypothesis or experiment.description)),
        ("Objective", _text(_objective_text(experiment.objective))),
        ("Variables", _text(_space_text(experiment))),
        ("Trials", _text(_counts_text(summary["trial_count"], counts))),
    ]
    title = f"Experiment {experiment.experiment_name}"
    return _bundle("experiment", payload, repr(experiment), _card(title, rows))


def trial_bundle(trial: TrialView) -> dict[str, Any]:
    detail = open_store().trial_detail(trial.trial_name)
    metrics = _own_metrics(detail)
    payload = {
        "version": DISPLAY_VERSION,
        "kind": "trial",
        "name": trial.trial_name,
        "experiment": trial.experiment_name,
        "status": _status(trial.status),
        "variables": trial.variables,
    }
    rows = [
        ("Experiment", _text(trial.experiment_name)),
        ("Status", _text(_status(trial.status) or "—")),
        ("Variables", _text(_mapping_text(trial.variables or {}))),
    ]
    rows.extend(
        _metric_rows("trial", trial.trial_name, metrics),
    )
    title = f"Trial {trial.trial_name}"
    return _bundle("trial", payload, repr(trial), _card(title, rows))


def component_bundle(component: ComponentView, *, live: bool = False) -> dict[str, Any]:
    payload = {
        "version": DISPLAY_VERSION,
        "kind": "component",
        "name": component.trial_component_name,
        "display_name": component.display_name,
        "status": _status(component.status),
        "trials": component.trial_names,
        "live": live,
    }
    rows = [
        ("Kind", _text(component.kind or "—")),
        ("Status", _text(_status(component.status) or "—")),
        ("Trials", _text(", ".join(component.trial_names) or "none")),
        ("Parameters", _text(_mapping_text(component.parameters))),
    ]
    artifacts = [*component.input_artifacts.values(), *component.output_artifacts.values()]
    if artifacts:
        rows.append(("Artifacts", _text(", ".join(f"{a.direction} {a.name}" for a in artifacts))))
    rows.extend(_metric_rows("component", component.trial_component_name, component.metrics))
    title = f"Trial component {component.display_name or component.trial_component_name}"
    return _bundle("component", payload, repr(component), _card(title, rows))


# -- live charts ------------------------------------------------------------------------------
class Chart:
    """A metric chart in a cell's output: live in JupyterLab, a static SVG anywhere else."""

    def __init__(
        self,
        metric_name: str,
        *,
        owner_kind: OwnerKind,
        owners: Sequence[str],
        experiment: str | None,
        scope: str = "owners",
        x: str = "step",
        group_by: str | None = None,
        smoothing: float = 0.0,
        log_y: bool = False,
        title: str,
    ) -> None:
        if not isinstance(metric_name, str) or not metric_name.strip():
            raise ValidationError("metric_name must be the name of a logged metric, e.g. 'loss'")
        if x not in X_AXES:
            raise ValidationError(f"x must be one of {', '.join(X_AXES)}, not {x!r}")
        if not isinstance(smoothing, int | float) or not 0 <= smoothing < 1:
            raise ValidationError(
                "smoothing is the weight of the exponential moving average: 0 ≤ smoothing < 1"
            )
        self.chart_id = uuid.uuid4().hex
        self.metric_name = metric_name
        self.owner_kind: OwnerKind = owner_kind
        self.owners = list(owners)
        self.experiment = experiment
        # "experiment": every trial of it, including trials created after display;
        # "owners": exactly the trials or components listed.
        self.scope = scope
        self.x = x
        self.group_by = group_by
        self.smoothing = float(smoothing)
        self.log_y = bool(log_y)
        self.title = title

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        payload = {
            "version": DISPLAY_VERSION,
            "kind": "chart",
            "chart_id": self.chart_id,
            "metric": self.metric_name,
            "owner_kind": self.owner_kind,
            "owners": self.owners,
            "experiment": self.experiment,
            "scope": self.scope,
            "options": {
                "x": self.x,
                "group_by": self.group_by,
                "smoothing": self.smoothing,
                "log_y": self.log_y,
            },
        }
        return _bundle("chart", payload, repr(self), self._static_html())

    def __repr__(self) -> str:
        return f"<Trialbook chart of {self.metric_name!r} for {self.title}>"

    def _static_html(self) -> str:
        metric_writer().flush()
        series = open_store().metric_series(
            [(self.owner_kind, owner, self.metric_name) for owner in self.owners],
            max_points=CHART_POINTS,
        )
        figure = _line_chart(series, x=self.x, log_y=self.log_y, smoothing=self.smoothing)
        heading = f"{self.metric_name} — {self.title}"
        return (
            '<div class="trialbook-chart">'
            f'<div style="font-weight:600">{_text(heading)}</div>{figure}</div>'
        )


# -- helpers ----------------------------------------------------------------------------------
def _bundle(kind: str, payload: dict[str, Any], text: str, html_text: str) -> dict[str, Any]:
    return {mime_type(kind): json_safe(payload), "text/plain": text, "text/html": html_text}


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _status(status: Any) -> str | None:
    return None if status is None else str(getattr(status, "value", status))


def _objective_text(objective: dict[str, str] | None) -> str:
    if not objective:
        return "—"
    goal, metric = objective.get("goal", ""), objective.get("metric", "")
    return f"{goal} {metric} ({objective.get('summary', 'best')})"


def _space_text(experiment: ExperimentView) -> str:
    if not experiment.variables:
        return "—"
    return "; ".join(f"{name} ∈ {variable!r}" for name, variable in experiment.variables.items())


def _mapping_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in values.items()) or "—"


def _counts_text(total: int, counts: dict[str, int]) -> str:
    detail = ", ".join(f"{n} {status}" for status, n in counts.items())
    return f"{total}" + (f" ({detail})" if detail else "")


def _own_metrics(detail: dict[str, Any]) -> dict[str, MetricSummary]:
    metrics: dict[str, MetricSummary] = {}
    for component in detail.get("components", []):
        for name, summary in (component.get("metrics") or {}).items():
            metrics.setdefault(name, MetricSummary(**summary))
    return metrics


def _metric_rows(
    owner_kind: OwnerKind, owner: str, metrics: dict[str, MetricSummary]
) -> list[tuple[str, str]]:
    if not metrics:
        return []
    metric_writer().flush()
    series = {
        points.metric: points
        for points in open_store().metric_series(
            [(owner_kind, owner, name) for name in metrics], max_points=SPARKLINE_POINTS
        )
    }
    rows = []
    for name, summary in metrics.items():
        numbers = (
            f"last {_number(summary.last)} · min {_number(summary.min)} · "
            f"max {_number(summary.max)} · {summary.count} points"
        )
        spark = _sparkline(series[name].values) if name in series else ""
        rows.append((_text(name), f"{spark} {_text(numbers)}"))
    return rows


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.4g}"


def _card(title: str, rows: list[tuple[str, str]]) -> str:
    """A small table; every cell arrives escaped (or as an SVG of numbers only)."""
    body = "".join(
        f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{label}</th>'
        f'<td style="text-align:left">{value}</td></tr>'
        for label, value in rows
    )
    return (
        f'<div class="trialbook-card"><div style="font-weight:600">{_text(title)}</div>'
        f"<table>{body}</table></div>"
    )


def _sparkline(values: Sequence[float], width: int = 80, height: int = 18) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if len(finite) < 2:
        return ""
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 1 - (v - low) / span * (height - 2):.1f}"
        for i, v in enumerate(values)
        if math.isfinite(v)
    )
    return (
        f'<svg width="{width}" height="{height}" style="vertical-align:middle">'
        f'<polyline fill="none" stroke="#1976d2" stroke-width="1.2" points="{points}"/></svg>'
    )


PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def _line_chart(series: list[SeriesPoints], *, x: str, log_y: bool, smoothing: float) -> str:
    """A static SVG line chart: one line per series, min/max labels, names escaped."""
    width, height, margin = 480, 220, 44
    lines = []
    for points in series:
        xs = _x_values(points, x)
        ys = _smooth(points.values, smoothing)
        pairs = [
            (a, b) for a, b in zip(xs, ys, strict=True) if math.isfinite(b) and (not log_y or b > 0)
        ]
        if pairs:
            lines.append((points.owner_name, pairs))
    if not lines:
        return "<p>No points logged yet.</p>"
    transform = math.log10 if log_y else (lambda value: value)
    all_x = [a for _, pairs in lines for a, _ in pairs]
    all_y = [transform(b) for _, pairs in lines for _, b in pairs]
    x_low, x_high = min(all_x), max(all_x)
    y_low, y_high = min(all_y), max(all_y)
    x_span, y_span = (x_high - x_low) or 1.0, (y_high - y_low) or 1.0
    plot_w, plot_h = width - 2 * margin, height - 2 * margin
    shapes = []
    legend = []
    for index, (name, pairs) in enumerate(lines):
        color = PALETTE[index % len(PALETTE)]
        coordinates = " ".join(
            f"{margin + (a - x_low) / x_span * plot_w:.1f},"
            f"{height - margin - (transform(b) - y_low) / y_span * plot_h:.1f}"
            for a, b in pairs
        )
        shapes.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{coordinates}"/>'
        )
        if index < 12:
            legend.append(f'<span style="color:{color}">■</span> {_text(name)}')
    label = "log₁₀ " if log_y else ""
    axis = (
        f'<text x="{margin}" y="{height - margin + 16}" font-size="11">{_number(x_low)}</text>'
        f'<text x="{width - margin}" y="{height - margin + 16}" font-size="11" '
        f'text-anchor="end">{_number(x_high)} ({_text(x)})</text>'
        f'<text x="{margin - 4}" y="{height - margin}" font-size="11" text-anchor="end">'
        f"{_text(label)}{_number(y_low)}</text>"
        f'<text x="{margin - 4}" y="{margin + 4}" font-size="11" text-anchor="end">'
        f"{_text(label)}{_number(y_high)}</text>"
    )
    frame = (
        f'<rect x="{margin}" y="{margin}" width="{plot_w}" height="{plot_h}" '
        'fill="none" stroke="#999" stroke-width="0.5"/>'
    )
    more = f" and {len(lines) - 12} more" if len(lines) > 12 else ""
    return (
        f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"{frame}{''.join(shapes)}{axis}</svg>"
        f'<div style="font-size:11px">{" &nbsp; ".join(legend)}{_text(more)}</div>'
    )


def _x_values(points: SeriesPoints, x: str) -> list[float]:
    if x == "step":
        return [float(step) for step in points.steps]
    if x == "relative" and points.times:
        start = points.times[0]
        return [time - start for time in points.times]
    return list(points.times)


def _smooth(values: Sequence[float], weight: float) -> list[float]:
    if not weight:
        return list(values)
    smoothed, last = [], None
    for value in values:
        if math.isfinite(value):
            last = value if last is None else weight * last + (1 - weight) * value
            smoothed.append(last)
        else:
            smoothed.append(value)
    return smoothed
