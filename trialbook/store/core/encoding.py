"""How values are stored: JSON text for documents, typed parameter values, NULL for NaN."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from typing import Any

from trialbook.store.core.records import ParameterValue


def _document_encoder() -> Callable[[Any], str]:
    """One encoder for every stored document (sorted keys, NaN refused), built once.

    ``json.dumps`` with options builds an encoder per call, and ``JSONEncoder.encode`` builds
    its C encoder per call: about half the time of a small document (an ``exp.run`` stores
    eight). Here the C encoder is built once, with no cycle check (documents are trees:
    names, validated values, provenance), if it agrees with ``encode`` on a sample and
    refuses NaN as it does; else ``encode`` as it is (another Python, no C accelerator)."""
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    sample = {"b": [1, -2.5e-300, 'é"\n', None, True, {}], "a": {"z": 1, "y": []}}
    try:
        iterencode = make(  # type: ignore[misc]
            None,
            encoder.default,
            json.encoder.encode_basestring,
            None,
            encoder.key_separator,
            encoder.item_separator,
            True,
            False,
            False,
        )
        agrees = "".join(iterencode(sample, 0)) == encoder.encode(sample)
        with contextlib.suppress(ValueError):
            iterencode({"nan": math.nan}, 0)
            agrees = False
    except Exception:
        agrees = False
    if not agrees:
        return encoder.encode
    return lambda value: "".join(iterencode(value, 0))


dumps: Callable[[Any], str] = _document_encoder()


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
