"""Turn a library's configuration into Trialbook parameters and variables."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any

from trialbook.errors import ValidationError
from trialbook.names import validate_key
from trialbook.values import parameter

MAX_TEXT = 1000  # a repr longer than this is cut: a parameter is for reading, not restoring


def parameter_value(value: Any) -> bool | int | float | str | None:
    """A parameter value from anything: numbers, strings and bools as they are, numpy scalars
    unwrapped, enums by value, None skipped, anything else (classes, callables, arrays) as a
    short text."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, (bool, int, float, str)) or type(value).__module__ == "numpy":
        try:
            return parameter("value", value)
        except ValidationError:
            pass
    if isinstance(value, type):
        return value.__name__
    text = repr(value) if not callable(value) else getattr(value, "__name__", repr(value))
    return text[:MAX_TEXT]


def flat_parameters(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``, values through ``parameter_value``; names that are
    not valid parameter names (empty, with '/') get '/' replaced, None values are left out."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}".replace("/", "_")
        if isinstance(value, Mapping):
            flat.update(flat_parameters(value, f"{name}."))
            continue
        converted = parameter_value(value)
        if converted is None:
            continue
        try:
            flat[validate_key(name, "parameter name")] = converted
        except ValidationError:
            continue  # an empty or over-long key says nothing worth keeping
    return flat


def variable_value(value: Any) -> bool | int | float | str | None:
    """A variable value: plain scalars as they are, anything else as a short text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        try:
            number = parameter("value", value)
        except ValidationError:
            number = None
        if isinstance(number, (bool, int, str)) or (
            isinstance(number, float) and math.isfinite(number)
        ):
            return number
    return parameter_value(value)


def number_or_text(value: Any) -> Any:
    """``"3"`` → 3, ``"0.300000012"`` → 0.3 (float32 noise cut to 7 digits), else unchanged."""
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(f"{float(value):.7g}")
    except ValueError:
        return value
