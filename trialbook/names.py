"""The one name rule (experiments, trials, components, metrics, parameters, tags) and name
generation.

A name is text of 1 to 120 characters once surrounding whitespace is trimmed, with at least
one visible character, no '/', no control characters, no lone surrogates, and not '.' or '..'
(they cannot be addressed in a URL path). The REST API checks names with the same function;
the frontend never creates names, it sends them to the REST API.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from trialbook.errors import AlreadyExistsError, ValidationError

MAX_NAME_LENGTH = 120
MAX_NAME_ATTEMPTS = 8
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})
T = TypeVar("T")


_valid_names: dict[str, str] = {}  # name → trimmed: a sweep checks the same few names a run
_VALID_NAMES_KEPT = 4096


def validate_name(name: object, what: str = "name") -> str:
    """Return ``name`` trimmed, or raise ValidationError saying what is wrong with it."""
    if type(name) is str:
        known = _valid_names.get(name)
        if known is not None:
            return known
    trimmed = _checked_name(name, what)
    if type(name) is str:
        if len(_valid_names) >= _VALID_NAMES_KEPT:
            _valid_names.clear()
        _valid_names[name] = trimmed
    return trimmed


def _checked_name(name: object, what: str) -> str:
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
    if trimmed in (".", ".."):
        raise ValidationError(
            f"{what} must not be {trimmed!r}: it cannot be addressed in a URL; add a letter"
        )
    check_encodable(trimmed, what)
    visible = False
    for char in trimmed:
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValidationError(
                f"{what} must not contain control characters (found {char!r}): {trimmed!r}"
            )
        visible = visible or category not in _INVISIBLE_CATEGORIES
    if not visible:
        raise ValidationError(
            f"{what} {trimmed!r} has no visible character (only spaces, zero-width or "
            "combining characters); give a name people can read"
        )
    return trimmed


def validate_key(name: object, what: str) -> str:
    """Validate a metric, parameter, artifact or tag name (same rules as entity names)."""
    return validate_name(name, what)


def check_encodable(value: str, what: str) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate such as '\\ud800')."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValidationError(
            f"{what} holds {value[error.start]!r} at position {error.start}, a lone surrogate "
            "that is not valid Unicode text; decode the source text correctly (or drop it)"
        ) from None


def has_visible_text(value: str | None) -> bool:
    """True if ``value`` holds a character other than whitespace or zero-width ones."""
    return bool(value) and any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in value or ""
    )


def random_suffix(hex_digits: int) -> str:
    """Random hex digits (a function of its own so a test can force a collision)."""
    return secrets.token_hex((hex_digits + 1) // 2)[:hex_digits]


def generate_name(base: str) -> str:
    """``<base>-<UTC timestamp>-<random>``, trimmed so the result is a valid name."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = random_suffix(6)
    room = MAX_NAME_LENGTH - len(stamp) - len(suffix) - 2
    return f"{base.strip()[:room]}-{stamp}-{suffix}"


def generate_trial_name(experiment_name: str) -> str:
    """``<experiment>-<10 hex>``: short enough to leave room for ``-training-<attempt>``."""
    return f"{experiment_name.strip()[:90]}-{random_suffix(10)}"


def create_with_generated_name(create: Callable[[str], T], generate: Callable[[], str]) -> T:
    """``create(name)`` with a generated name; a name already taken (random suffixes collide,
    rarely, among many thousands) is retried with a fresh one, so it never fails a run."""
    for _ in range(MAX_NAME_ATTEMPTS):
        name = generate()
        try:
            return create(name)
        except AlreadyExistsError as error:
            if getattr(error.existing, "name", None) != name:
                raise  # something else already exists (e.g. a trial of that variable set)
    raise AlreadyExistsError(
        f"{MAX_NAME_ATTEMPTS} generated names in a row were taken already (last {name!r}); "
        "the random source of this process looks broken"
    )
