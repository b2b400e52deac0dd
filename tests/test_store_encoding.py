"""Stored documents are JSON with sorted keys; NaN, infinities and other objects are refused
(the encoder built once must say exactly what ``json.dumps`` with those options says)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from trialbook.store.core.encoding import dumps

pytestmark = pytest.mark.sqlite_only  # no store involved: once is enough

DOCUMENTS: list[Any] = [
    {},
    [],
    'text with é, "quotes", \\ and \n',
    {"b": 1, "a": [1, 2.5, -0.0, 1e300, 5e-324, None, True, False], "c": {"z": {}, "y": []}},
    {"names": ["lr", "seed"], "trials": ["t"], "experiments": ["e"], "status": "Completed"},
    {"packages": {f"package-{i}": f"{i}.0" for i in range(50)}, "pid": 12, "cwd": "/tmp/ü"},
    {"\u2603": "snow", "emoji": "\U0001f600", "big": 2**62, "negative": -(2**63)},
    None,
    3.25,
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_documents_are_json_with_sorted_keys(document: Any) -> None:
    assert dumps(document) == json.dumps(
        document, sort_keys=True, ensure_ascii=False, allow_nan=False
    )
    assert json.loads(dumps(document)) == document


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps({"metrics": [1.0, {"last": value}]})


def test_other_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"value": object()})
