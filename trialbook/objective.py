"""The objective and the claim it may state: validation, overrides and a trial's value.

An objective is ``{"metric", "goal", "summary"}``; it may also state the claim that decides
the hypothesis: ``variable``, ``treatment``, ``control``, ``min_effect`` and ``alpha``
(see docs/statistics.md). Everything here is plain Python: no numpy, no store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialbook.errors import ValidationError
from trialbook.names import validate_name
from trialbook.store.core.vocabulary import OBJECTIVE_SUMMARY_STATS
from trialbook.variables import Choice, Range, Variable, plain_value

GOALS = ("maximize", "minimize")
SUMMARIES = ("best", "last", "max", "min", "mean")
CLAIM_KEYS = ("variable", "treatment", "control", "min_effect", "alpha")
OBJECTIVE_KEYS = ("metric", "goal", "summary", *CLAIM_KEYS)
DEFAULT_ALPHA = 0.05

#: The trial-table summary statistic each objective summary reads (goal decides "best").

EXAMPLE = (
    "{'metric': 'val_accuracy', 'goal': 'maximize', 'summary': 'best', 'variable': 'model', "
    "'treatment': 'custom', 'control': 'resnet50', 'min_effect': 0.01, 'alpha': 0.05}"
)


class ClaimError(ValidationError):
    """A bad objective or claim key; ``key`` names it (the REST layer's bad parameter)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Claim:
    """A validated claim: ``treatment`` beats each of ``controls`` on ``metric``."""

    metric: str
    goal: str
    summary: str
    variable: str
    treatment: Any
    control: tuple[Any, ...] | None  # None: every other value of the variable
    min_effect: float
    alpha: float

    @property
    def maximize(self) -> bool:
        return self.goal == "maximize"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "goal": self.goal,
            "summary": self.summary,
            "variable": self.variable,
            "treatment": self.treatment,
            "control": _control_json(self.control),
            "min_effect": self.min_effect,
            "alpha": self.alpha,
        }

    def text(self, controls: Sequence[Any]) -> str:
        """The claim in words, e.g. "custom beats resnet50 on val_accuracy (best, maximize)"."""
        against = " and ".join(str(value) for value in controls) or "the other values"
        words = f"{self.treatment} beats {against} on {self.metric} ({self.summary}, {self.goal})"
        if self.min_effect:
            words += f" by at least {self.min_effect:g}"
        return words


def normalize_objective(
    objective: Any, space: Mapping[str, Variable] | None = None
) -> dict[str, Any] | None:
    """The stored form of an objective: metric, goal, summary, plus the claim keys (with
    their defaults) when a claim is stated. Raises ClaimError naming the bad key."""
    if objective is None:
        return None
    if not isinstance(objective, Mapping):
        raise ClaimError(
            "objective",
            "objective must be a dict like {'metric': 'val_accuracy', 'goal': 'maximize'}, "
            f"got {objective!r}",
        )
    unknown = sorted(set(objective) - set(OBJECTIVE_KEYS))
    if unknown:
        raise ClaimError(
            unknown[0],
            f"objective has unknown keys {unknown}; use {', '.join(OBJECTIVE_KEYS)}",
        )
    try:
        metric = validate_name(objective.get("metric"), "objective metric")
    except ValidationError as error:
        raise ClaimError("metric", str(error)) from None
    goal = objective.get("goal")
    if goal not in GOALS:
        raise ClaimError("goal", f"objective goal must be 'maximize' or 'minimize', got {goal!r}")
    summary = objective.get("summary", "best")
    if summary not in SUMMARIES:
        raise ClaimError(
            "summary",
            f"objective summary must be one of {', '.join(SUMMARIES)}, got {summary!r}",
        )
    normalized: dict[str, Any] = {"metric": metric, "goal": goal, "summary": summary}
    if any(objective.get(key) is not None for key in CLAIM_KEYS):
        normalized.update(_claim_fields(objective, space))
    return normalized


def claim_of(
    objective: Mapping[str, Any] | None,
    space: Mapping[str, Variable] | None,
    overrides: Mapping[str, Any] | None = None,
) -> Claim | None:
    """The claim stated by ``objective`` with ``overrides`` applied (None when there is none).

    Overrides take the objective's keys; naming another variable drops the stated
    treatment and control, which belong to the stated variable."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(OBJECTIVE_KEYS))
    if unknown:
        raise ClaimError(
            unknown[0], f"cannot evaluate with {unknown}; give any of {', '.join(OBJECTIVE_KEYS)}"
        )
    merged = dict(objective or {})
    if "variable" in overrides and overrides["variable"] != merged.get("variable"):
        merged.pop("treatment", None)
        merged.pop("control", None)
    merged.update({key: value for key, value in overrides.items()})
    if not merged:
        return None
    if "goal" not in merged and "metric" in overrides:
        raise ClaimError("goal", "give goal='maximize' or goal='minimize' with the metric")
    normalized = normalize_objective(merged, space)
    if normalized is None or "variable" not in normalized:
        return None
    return Claim(
        metric=normalized["metric"],
        goal=normalized["goal"],
        summary=normalized["summary"],
        variable=normalized["variable"],
        treatment=normalized["treatment"],
        control=_control_tuple(normalized["control"]),
        min_effect=normalized["min_effect"],
        alpha=normalized["alpha"],
    )


def trial_value(
    metrics: Mapping[str, Mapping[str, Any]], claim_or_objective: Any, *, finite: bool = True
) -> float | None:
    """A trial's objective value from its trial-table metric summaries (``trial_rows``):
    the metric's own key, else its most recently started component's ``<display>/<metric>``
    key; the summary statistic the objective names. None when absent (or, with ``finite``,
    not finite)."""
    if isinstance(claim_or_objective, Claim):
        metric, goal, summary = (
            claim_or_objective.metric,
            claim_or_objective.goal,
            claim_or_objective.summary,
        )
    else:
        metric = claim_or_objective.get("metric")
        goal = claim_or_objective.get("goal", "maximize")
        summary = claim_or_objective.get("summary", "best")
    stats = metrics.get(metric)
    if stats is None:  # a clash between components: keys are in start order
        clashing = [key for key in metrics if key.endswith(f"/{metric}")]
        stats = metrics[clashing[-1]] if clashing else None
    if stats is None:
        return None
    best = "max" if goal == "maximize" else "min"
    stat = best if summary == "best" else OBJECTIVE_SUMMARY_STATS[summary]
    value = stats.get(stat)
    if value is None or isinstance(value, bool) or (finite and not math.isfinite(value)):
        return None
    return float(value)


def same_value(a: Any, b: Any) -> bool:
    """Variable-value equality as trial identity has it: bool ≠ int, 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


# -- the claim keys -----------------------------------------------------------------------------
def _claim_fields(objective: Mapping[str, Any], space: Mapping[str, Variable] | None) -> dict:
    variable = objective.get("variable")
    needs = (
        "a claim names the variable it tests and its treatment value (control, min_effect "
        f"and alpha are optional), e.g. {EXAMPLE}"
    )
    if variable is None:
        raise ClaimError("variable", needs)
    if not isinstance(variable, str) or (space and variable not in space):
        declared = ", ".join(sorted(space or {})) or "none"
        raise ClaimError(
            "variable", f"claim variable {variable!r} is not a declared variable ({declared})"
        )
    if objective.get("treatment") is None:
        raise ClaimError("treatment", needs)
    declared_variable = (space or {}).get(variable)
    treatment = _value("treatment", objective["treatment"], variable, declared_variable)
    control = objective.get("control")
    if control is not None:
        raw = list(control) if isinstance(control, list | tuple) else [control]
        if not raw:
            raise ClaimError("control", "control must name at least one value, or be left out")
        controls = [_value("control", value, variable, declared_variable) for value in raw]
        if any(same_value(value, treatment) for value in controls):
            raise ClaimError(
                "control", f"control must differ from the treatment {treatment!r} of {variable!r}"
            )
        control = controls[0] if len(controls) == 1 else controls
    elif isinstance(declared_variable, Choice) and len(declared_variable.values) < 2:
        raise ClaimError(
            "variable", f"variable {variable!r} has one value: there is nothing to compare"
        )
    return {
        "variable": variable,
        "treatment": treatment,
        "control": control,
        "min_effect": _number("min_effect", objective.get("min_effect", 0.0), low=0.0),
        "alpha": _alpha(objective.get("alpha", DEFAULT_ALPHA)),
    }


def _value(key: str, value: Any, variable: str, declared: Variable | None) -> Any:
    try:
        value = plain_value(value, f"claim {key}")
    except ValidationError as error:
        raise ClaimError(key, str(error)) from None
    if isinstance(declared, Choice):
        for allowed in declared.values:
            if same_value(allowed, value):
                return allowed
        listed = ", ".join(repr(allowed) for allowed in declared.values)
        raise ClaimError(
            key, f"{key} {value!r} is not a value of variable {variable!r}; allowed: {listed}"
        )
    if isinstance(declared, Range) and (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not declared.low <= value <= declared.high
    ):
        raise ClaimError(
            key,
            f"{key} {value!r} is not in the range of variable {variable!r}: a number from "
            f"{declared.low:g} to {declared.high:g}",
        )
    return value


def _number(key: str, value: Any, *, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ClaimError(key, f"{key} must be a finite number, got {value!r}")
    if value < low:
        raise ClaimError(
            key,
            f"{key} must be at least {low:g} (the smallest improvement worth having, in the "
            f"metric's units), got {value!r}",
        )
    return float(value)


def _alpha(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < 1
        or not math.isfinite(value)
    ):
        raise ClaimError(
            "alpha", f"alpha must be a number between 0 and 1 such as 0.05, got {value!r}"
        )
    return float(value)


def _control_tuple(control: Any) -> tuple[Any, ...] | None:
    if control is None:
        return None
    return tuple(control) if isinstance(control, list) else (control,)


def _control_json(control: tuple[Any, ...] | None) -> Any:
    if control is None:
        return None
    return control[0] if len(control) == 1 else list(control)
