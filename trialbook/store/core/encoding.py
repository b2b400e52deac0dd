"""How values are stored: JSON text for documents, typed parameter values, NULL for NaN."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from trialbook.store.core.records import ParameterValue

#: Every stored document's encoding (sorted keys, NaN refused), with its encoder built once:
#: ``json.dumps`` with options builds one per call (a third of a small document's time).
dumps: Callable[[Any], str] = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, allow_nan=False
).encode


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def dumps_or_none(value: Any) -> str | None:
    return None if value is None else dumps(value)


def nan_if_null(value: float | None) -> float:
    """A stored metric value: NULL means NaN (SQL engines do not all keep NaN)."""
    return math.nan if value is None else value


def parameter_row(value: ParameterValue) -> tuple[str, Any]:
    """(type, stored value) of a parameter; NaN floats are stored as NULL."""
    if isinstance(value, bool):
        return "bool", int(value)
    if isinstance(value, int):
        return "int", value
    if isinstance(value, float):
        return "float", None if math.isnan(value) else value
    return "str", value


def parameter_value(kind: str, value: Any) -> ParameterValue:
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return nan_if_null(value)
    return value  # type: ignore[no-any-return]
