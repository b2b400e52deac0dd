"""Variable spaces (``Choice``, ``Range``), grids, samples and variable-set identity."""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trialbook.errors import ValidationError
from trialbook.names import validate_key

VariableValue = bool | int | float | str | None


@dataclass(frozen=True)
class Choice:
    """A variable taking one of the given values."""

    values: tuple[Any, ...]

    def __init__(self, values: Iterable[Any]) -> None:
        items = tuple(plain_value(value, "Choice value") for value in values)
        if not items:
            raise ValidationError("Choice needs at least one value, e.g. Choice(['adam', 'sgd'])")
        object.__setattr__(self, "values", items)

    def grid(self) -> list[Any]:
        return list(self.values)

    def sample(self, rng: random.Random) -> Any:
        return rng.choice(self.values)

    def to_json(self) -> dict[str, Any]:
        return {"type": "choice", "values": list(self.values)}


@dataclass(frozen=True)
class Range:
    """A numeric variable in [low, high], linear or log scale; ``num`` points for a grid."""

    low: float
    high: float
    scale: str = "linear"
    num: int | None = None
    integer: bool = False

    def __post_init__(self) -> None:
        for label, bound in (("low", self.low), ("high", self.high)):
            if (
                isinstance(bound, bool)
                or not isinstance(bound, (int, float))
                or not math.isfinite(bound)
            ):
                raise ValidationError(f"Range {label} must be a finite number, got {bound!r}")
        if self.low > self.high:
            raise ValidationError(f"Range low ({self.low}) must not exceed high ({self.high})")
        if self.scale not in ("linear", "log"):
            raise ValidationError(f"Range scale must be 'linear' or 'log', got {self.scale!r}")
        if self.scale == "log" and self.low <= 0:
            raise ValidationError(f"a log-scale Range needs low > 0, got {self.low}")
        if self.num is not None and (
            isinstance(self.num, bool) or not isinstance(self.num, int) or self.num < 1
        ):
            raise ValidationError(f"Range num must be a positive integer, got {self.num!r}")

    def grid(self) -> list[Any]:
        if self.num is None:
            raise ValidationError(
                f"cannot enumerate {self!r} without num; give Range(..., num=N) to use exp.grid()"
            )
        if self.num == 1:
            points = [self.low]
        elif self.scale == "log":
            ratio = math.log(self.high / self.low) / (self.num - 1)
            points = [self.low * math.exp(ratio * i) for i in range(self.num)]
        else:
            step = (self.high - self.low) / (self.num - 1)
            points = [self.low + step * i for i in range(self.num)]
        points[-1] = self.high if self.num > 1 else points[-1]
        if self.integer:
            return list(dict.fromkeys(round(point) for point in points))
        # Twelve significant digits drop the float noise of the arithmetic:
        # 1e-4, not 0.00010000000000000003, is the value people read and type.
        return [float(f"{point:.12g}") for point in points]

    def sample(self, rng: random.Random) -> Any:
        if self.scale == "log":
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if self.integer:
            return min(max(round(value), math.ceil(self.low)), math.floor(self.high))
        return value

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "range",
            "low": self.low,
            "high": self.high,
            "scale": self.scale,
            "num": self.num,
            "integer": self.integer,
        }


Variable = Choice | Range


def plain_value(value: Any, what: str = "variable value") -> VariableValue:
    """A JSON-safe scalar from ``value`` (numpy scalars unwrapped); rejects the rest."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{what} must be finite, got {value!r}")
        return float(value)
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, (bytes, bytearray)):
        try:
            unwrapped = item()
        except (TypeError, ValueError):
            unwrapped = None
        if isinstance(unwrapped, (bool, int, float, str)):
            return plain_value(unwrapped, what)
    raise ValidationError(
        f"{what} must be a bool, int, float, str or None, got {type(value).__name__}: {value!r}"
    )


def parse_space(space: Mapping[str, Any] | None) -> dict[str, Variable] | None:
    """Validate a variable space: name → Choice, Range or a plain list (a Choice)."""
    if space is None:
        return None
    if not isinstance(space, Mapping):
        raise ValidationError(
            "variables must be a dict of name → Choice([...]) / Range(low, high) / list"
        )
    parsed: dict[str, Variable] = {}
    for name, variable in space.items():
        key = validate_key(name, "variable name")
        if isinstance(variable, (Choice, Range)):
            parsed[key] = variable
        elif isinstance(variable, (list, tuple)):
            parsed[key] = Choice(variable)
        elif isinstance(variable, Mapping) and variable.get("type") in ("choice", "range"):
            parsed[key] = space_from_json({key: variable})[key]
        else:
            raise ValidationError(
                f"variable {key!r} must be Choice([...]), Range(low, high, ...) or a list, "
                f"got {variable!r}"
            )
    return parsed


def space_to_json(space: Mapping[str, Variable] | None) -> dict[str, Any] | None:
    return None if space is None else {name: var.to_json() for name, var in space.items()}


def space_from_json(data: Mapping[str, Any] | None) -> dict[str, Variable] | None:
    if data is None:
        return None
    space: dict[str, Variable] = {}
    for name, spec in data.items():
        if spec["type"] == "choice":
            space[name] = Choice(spec["values"])
        else:
            space[name] = Range(
                spec["low"],
                spec["high"],
                scale=spec.get("scale", "linear"),
                num=spec.get("num"),
                integer=spec.get("integer", False),
            )
    return space


def grid(space: Mapping[str, Variable]) -> list[dict[str, Any]]:
    """Every variable set of the space, in product order of the declared variables."""
    names = list(space)
    axes = [space[name].grid() for name in names]
    return [dict(zip(names, combination, strict=False)) for combination in itertools.product(*axes)]


def sample(
    space: Mapping[str, Variable], n: int, used: set[str], seed: int | None = None
) -> list[dict[str, Any]]:
    """``n`` distinct variable sets whose identities are not in ``used``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValidationError(f"n must be a non-negative integer, got {n!r}")
    rng = random.Random(seed)
    if (
        all(isinstance(v, Choice) or v.integer or v.num is not None for v in space.values())
        and _finite_size(space) <= 100_000
    ):
        fresh = [s for s in _finite_sets(space) if identity(s) not in used]
        if len(fresh) < n:
            raise ValidationError(
                f"only {len(fresh)} unused variable set(s) remain in this space; asked for {n}"
            )
        return rng.sample(fresh, n)
    chosen: list[dict[str, Any]] = []
    seen = set(used)
    attempts = 0
    while len(chosen) < n:
        attempts += 1
        if attempts > 1000 * (n + 1):
            raise ValidationError(f"could not find {n} unused variable sets in this space")
        candidate = {name: variable.sample(rng) for name, variable in space.items()}
        key = identity(candidate)
        if key not in seen:
            seen.add(key)
            chosen.append(candidate)
    return chosen


def _finite_size(space: Mapping[str, Variable]) -> int:
    size = 1
    for variable in space.values():
        size *= len(_levels(variable))
    return size


def _levels(variable: Variable) -> list[Any]:
    if isinstance(variable, Choice):
        return list(variable.values)
    if variable.num is not None:
        return variable.grid()
    return list(range(math.ceil(variable.low), math.floor(variable.high) + 1))


def _finite_sets(space: Mapping[str, Variable]) -> list[dict[str, Any]]:
    names = list(space)
    axes = [_levels(space[name]) for name in names]
    return [dict(zip(names, combination, strict=False)) for combination in itertools.product(*axes)]


def normalize_variables(variables: Mapping[str, Any] | None) -> dict[str, VariableValue] | None:
    """Validate a variable set (names and scalar values); None or {} means none."""
    if variables is None:
        return None
    if not isinstance(variables, Mapping):
        raise ValidationError(f"variables must be a dict of name → value, got {variables!r}")
    if not variables:
        return None
    return {
        validate_key(name, "variable name"): plain_value(value, f"variable {name!r}")
        for name, value in variables.items()
    }


_canonical_json = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def identity(variables: Mapping[str, Any] | None) -> str | None:
    """Canonical JSON of a variable set: sorted keys, bool ≠ int, an int equals an equal float."""
    if not variables:
        return None
    return _canonical_json({name: _canonical(value) for name, value in variables.items()})


def _canonical(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_names(
    space: Mapping[str, Variable] | None, variables: Mapping[str, Any] | None, experiment_name: str
) -> None:
    """A trial's variable names must equal the declared ones (when a space is declared)."""
    if not space:
        return
    given = set(variables or {})
    declared = set(space)
    if given != declared:
        missing = sorted(declared - given)
        extra = sorted(given - declared)
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"undeclared {extra}")
        raise ValidationError(
            f"the variables of a trial in experiment {experiment_name!r} must be exactly "
            f"{sorted(declared)} ({'; '.join(parts)}); use exp.grid() or exp.sample(n) for sets"
        )
