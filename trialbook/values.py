"""Validation of values at the API boundary: tags, parameters, metric values, times."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from trialbook.errors import ValidationError
from trialbook.names import check_encodable, validate_key
from trialbook.store import ParameterValue

MAX_TEXT_LENGTH = 1_000_000
INT64 = (-(2**63), 2**63 - 1)


def tags(value: Any) -> dict[str, str]:
    """``dict[str, str]`` or SageMaker's ``[{"Key": ..., "Value": ...}]`` → a dict."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = []
        for entry in value:
            if not isinstance(entry, Mapping) or "Key" not in entry:
                raise ValidationError(
                    "tags as a list must look like [{'Key': 'team', 'Value': 'vision'}], "
                    f"got {entry!r}"
                )
            items.append((entry["Key"], entry.get("Value", "")))
    else:
        raise ValidationError(f"tags must be a dict of str → str, got {value!r}")
    result = {}
    for key, tag_value in items:
        if not isinstance(tag_value, str):
            raise ValidationError(f"tag {key!r} must have a str value, got {tag_value!r}")
        result[validate_key(key, "tag key")] = text(tag_value, f"tag {key!r}") or ""
    return result


def text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be a string, got {type(value).__name__}: {value!r}")
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationError(f"{what} is {len(value)} characters; the limit is {MAX_TEXT_LENGTH}")
    check_encodable(value, what)
    return value


def parameter(name: str, value: Any) -> ParameterValue:
    """A number, string or bool (kept as bool); numpy scalars and ``__float__`` accepted."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return text(value, f"parameter {name!r}") or ""
    if isinstance(value, numbers.Integral):
        number = int(value)
        if not INT64[0] <= number <= INT64[1]:
            raise ValidationError(
                f"parameter {name!r} = {number} does not fit in 64 bits; log it as a string "
                "(str(value)) or a float"
            )
        return number
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        shape = getattr(value, "shape", ())
        if shape != ():
            raise ValidationError(
                f"parameter {name!r} is a numpy array of shape {shape}, not one value; log "
                "one parameter per element, str(value.tolist()), or the array as an artifact"
            )
        return parameter(name, item())
    if hasattr(value, "__float__") and not isinstance(value, (bytes, bytearray)):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise ValidationError(
        f"parameter {name!r} must be a number, string or bool, got {type(value).__name__}: "
        f"{value!r}; convert it (e.g. str(value)) or log it with log_input/log_output"
    )


def parameters(values: Mapping[str, Any]) -> dict[str, ParameterValue]:
    if not isinstance(values, Mapping):
        raise ValidationError(f"parameters must be a dict of name → value, got {values!r}")
    return {
        validate_key(name, "parameter name"): parameter(name, value)
        for name, value in values.items()
    }


def metric_value(name: str, value: Any) -> float:
    """Any real number that fits a float (NaN and ±inf kept); bools, strings, numbers too
    large for a float and other objects are rejected."""
    if isinstance(value, (str, bytes, bytearray)) or value is None:
        raise ValidationError(
            f"metric {name!r} must be a number, got {type(value).__name__}: {value!r}; "
            "log text with log_parameter or log_output instead"
        )
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):  # numpy's too
        raise ValidationError(
            f"metric {name!r} must be a number, got a bool ({value!r}); log float(value) "
            "if you mean 1.0 / 0.0"
        )
    try:
        return float(value)
    except OverflowError:
        raise ValidationError(
            f"metric {name!r} = {_short(value)} is too large for a float (about ±1.8e308); "
            "log it scaled, or as a string with log_parameter"
        ) from None
    except (TypeError, ValueError):
        raise ValidationError(
            f"metric {name!r} must be a number (anything float() accepts, numpy scalars "
            f"included), got {type(value).__name__}: {_short(value)}"
        ) from None


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (a huge int or array stays readable)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for repr (sys.set_int_max_str_digits)
        return f"<{type(value).__name__} too long to show>"
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def step(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"step / iteration_number must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer()):
        number = int(value)
    else:
        item = getattr(value, "item", None)
        if callable(item) and type(value).__module__ == "numpy":
            return step(item())
        raise ValidationError(f"step / iteration_number must be an integer, got {_short(value)}")
    if not INT64[0] <= number <= INT64[1]:
        raise ValidationError(
            f"step {_short(number)} does not fit in 64 bits (-2**63 to 2**63 - 1)"
        )
    return number


def epoch_seconds(value: Any, what: str = "timestamp") -> float:
    """A datetime (naive means UTC) or finite epoch seconds (numpy included) → a float."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
        if math.isfinite(seconds):
            return seconds
    raise ValidationError(
        f"{what} must be a datetime or finite epoch seconds, got {_short(value)}; "
        "leave it out to use the current time"
    )


def to_datetime(epoch: float | None) -> datetime | None:
    """Epoch seconds → a timezone-aware UTC datetime."""
    return None if epoch is None else datetime.fromtimestamp(epoch, tz=timezone.utc)
