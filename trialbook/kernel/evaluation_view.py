"""The inline view of ``exp.evaluate()``: Trialbook's evaluation MIME type (live in
JupyterLab, which refetches it as trials complete) plus escaped HTML with a static SVG of
each group's values, mean and interval, for anywhere else."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from trialbook.kernel.display import DISPLAY_VERSION, mime_type
from trialbook.wire import json_safe

if TYPE_CHECKING:
    from trialbook.evaluation import Evaluation

VERDICT_COLOURS = {"supported": "#2e7d32", "not supported": "#c62828", "inconclusive": "#8d6e00"}


def evaluation_bundle(evaluation: Evaluation) -> dict[str, Any]:
    body = evaluation.to_dict()
    payload = {
        "version": DISPLAY_VERSION,
        "kind": "evaluation",
        "experiment": evaluation.experiment_name,
        "overrides": evaluation.overrides,
        "evaluation": body,
    }
    return {
        mime_type("evaluation"): json_safe(payload),
        "text/plain": repr(evaluation),
        "text/html": evaluation_html(evaluation.experiment_name, body),
    }


def evaluation_html(experiment_name: str, body: dict[str, Any]) -> str:
    """A card of escaped text and numbers: the claim, the verdict, the evidence, a plot."""
    title = f"Hypothesis verdict — {experiment_name}"
    if body["claim"] is None:
        return _card(title, "", [("Claim", _text("none stated"))], "")
    verdict = body["verdict"] or "—"
    colour = VERDICT_COLOURS.get(verdict, "#666")
    badge = (
        f'<span style="background:{colour};color:#fff;border-radius:3px;padding:1px 6px">'
        f"{_text(verdict)}</span>"
    )
    alpha = body["alpha"]
    level = f"{1 - alpha:.0%}" if body["correction"] is None else "Holm step-down"
    rows = [("Claim", _text(body["text"]))]
    if body["message"]:
        rows.append(("Why", _text(body["message"])))
    for comparison in body["comparisons"]:
        several = len(body["comparisons"]) > 1
        label = f"vs {comparison['control']}: {comparison['verdict']}" if several else "Effect"
        rows.append((_text(label), _text(_comparison_text(comparison, level))))
    if body["correction"]:
        rows.append(("Correction", _text("Holm (several comparisons): adjusted p-values")))
    excluded = ", ".join(f"{n} {why}" for why, n in body["excluded"].items() if n)
    if excluded:
        rows.append(("Excluded", _text(excluded)))
    return _card(title, badge, rows, group_plot(body["groups"], body["claim"]["goal"]))


def _comparison_text(comparison: dict[str, Any], level: str) -> str:
    parts = [f"n = {comparison['n_treatment']} vs {comparison['n_control']}"]
    if comparison["effect"] is not None:
        parts.append(f"difference {_number(comparison['effect'])}")
    if comparison["ci"] is not None:
        low, high = comparison["ci"]
        parts.append(f"{level} CI [{_number(low)}, {_number(high)}]")
    for key, label in (
        ("p_value", "p"),
        ("effect_size", "Hedges' g"),
        ("prob_improvement", "P(improvement)"),
    ):
        if comparison[key] is not None:
            parts.append(f"{label} {_number(comparison[key])}")
    parts.append("paired" if comparison["paired"] else "Welch")
    if comparison["trials_needed"] is not None:
        parts.append(f"about {comparison['trials_needed']} trials per group would settle it")
    return " · ".join(parts)


def group_plot(groups: list[dict[str, Any]], goal: str, width: int = 420) -> str:
    """Points of each group with its mean (bar) and interval (whisker); numbers and escaped
    labels only."""
    values = [v for group in groups for v in group["values"] if math.isfinite(v)]
    bounds = [b for group in groups if group["ci"] for b in group["ci"] if math.isfinite(b)]
    if not values:
        return "<p>No completed trial with a value yet.</p>"
    low, high = min(values + bounds), max(values + bounds)
    span = (high - low) or 1.0
    row_height, left, right = 28, 110, 16
    height = row_height * len(groups) + 24
    plot_width = width - left - right

    def x(value: float) -> float:
        return left + (value - low) / span * plot_width

    shapes = []
    for index, group in enumerate(groups):
        y = 14 + index * row_height
        label = group["value"] if len(str(group["value"])) <= 16 else f"{str(group['value'])[:15]}…"
        shapes.append(
            f'<text x="{left - 8}" y="{y + 4}" font-size="11" text-anchor="end">'
            f"{_text(label)} (n={group['n']})</text>"
        )
        for point, value in enumerate(group["values"]):
            if math.isfinite(value):
                jitter = ((point * 7) % 9 - 4) * 1.2
                shapes.append(
                    f'<circle cx="{x(value):.1f}" cy="{y + jitter:.1f}" r="2.5" '
                    'fill="#1976d2" fill-opacity="0.6"/>'
                )
        if group["ci"]:
            shapes.append(
                f'<line x1="{x(group["ci"][0]):.1f}" x2="{x(group["ci"][1]):.1f}" y1="{y}" '
                f'y2="{y}" stroke="#333" stroke-width="1.5"/>'
            )
        if group["mean"] is not None:
            shapes.append(
                f'<line x1="{x(group["mean"]):.1f}" x2="{x(group["mean"]):.1f}" y1="{y - 7}" '
                f'y2="{y + 7}" stroke="#333" stroke-width="2.5"/>'
            )
    better = "higher is better" if goal == "maximize" else "lower is better"
    axis = (
        f'<text x="{left}" y="{height - 4}" font-size="10">{_number(low)}</text>'
        f'<text x="{width - right}" y="{height - 4}" font-size="10" text-anchor="end">'
        f"{_number(high)} ({_text(better)})</text>"
    )
    return (
        f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(shapes)}{axis}</svg>"
    )


def _card(title: str, badge: str, rows: list[tuple[str, str]], figure: str) -> str:
    body = "".join(
        f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{label}</th>'
        f'<td style="text-align:left">{value}</td></tr>'
        for label, value in rows
    )
    return (
        '<div class="trialbook-evaluation">'
        f'<div style="font-weight:600">{_text(title)} {badge}</div>'
        f"<table>{body}</table>{figure}</div>"
    )


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _number(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"
