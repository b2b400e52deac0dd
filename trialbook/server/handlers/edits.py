"""Validation of PATCH bodies: the fields a UI may edit, checked like the Python API does."""

from __future__ import annotations

from typing import Any

from ... import values
from ...names import validate_name

EXPERIMENT_FIELDS = ("description", "tags", "notes")
TRIAL_FIELDS = ("tags", "notes")
COMPONENT_FIELDS = ("display_name", "tags", "notes")


def validated_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Store-ready values of an edit body whose keys were already checked."""
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if key == "tags":
            fields[key] = values.tags(value)
        elif key == "display_name":
            fields[key] = None if value is None else validate_name(value, "display_name")
        else:
            fields[key] = values.text(value, key)
    return fields
