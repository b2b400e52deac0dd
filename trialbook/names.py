"""Validation and generation of experiment, trial, component, metric and parameter names."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime, timezone

from trialbook.errors import ValidationError

MAX_NAME_LENGTH = 120


def validate_name(name: object, what: str = "name") -> str:
    """Return ``name`` trimmed, or raise ValidationError saying what is wrong with it."""
    if not isinstance(name, str):
        raise ValidationError(f"{what} must be a string, got {type(name).__name__}: {name!r}")
    trimmed = name.strip()
    if not trimmed:
        raise ValidationError(f"{what} must not be empty; give 1 to {MAX_NAME_LENGTH} characters")
    if len(trimmed) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"{what} is {len(trimmed)} characters long; the limit is {MAX_NAME_LENGTH}: "
            f"{trimmed[:40]!r}..."
        )
    if "/" in trimmed:
        raise ValidationError(f"{what} must not contain '/': {trimmed!r}; use '-' or '_' instead")
    for char in trimmed:
        if unicodedata.category(char) == "Cc":
            raise ValidationError(
                f"{what} must not contain control characters (found {char!r}): {trimmed!r}"
            )
    return trimmed


def validate_key(name: object, what: str) -> str:
    """Validate a metric, parameter, artifact or tag name (same rules as entity names)."""
    return validate_name(name, what)


def generate_name(base: str) -> str:
    """``<base>-<UTC timestamp>-<random>``, trimmed so the result is a valid name."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = secrets.token_hex(3)
    room = MAX_NAME_LENGTH - len(stamp) - len(suffix) - 2
    return f"{base.strip()[:room]}-{stamp}-{suffix}"


def generate_trial_name(experiment_name: str) -> str:
    """``<experiment>-<8 hex>``: short enough to leave room for ``-training-<attempt>``."""
    return f"{experiment_name.strip()[:90]}-{secrets.token_hex(4)}"
