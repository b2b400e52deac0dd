"""The query language's meaning, written independently of SQL: a three-valued evaluator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trialbook.store.core.query.syntax import (
    And,
    Compare,
    Field,
    InList,
    Literal,
    Not,
    Or,
    TextTest,
)

ValueOf = Callable[[Field], Any]


def evaluate(node: Any, value_of: ValueOf) -> bool | None:
    """True, False or None (unknown) for one trial, in Kleene's three-valued logic: a missing
    value (None), or one of another kind (bool, number, text) than what it is compared
    with, makes a comparison unknown. ``x in [a, b]`` is ``x == a or x == b``."""
    if isinstance(node, And):
        results = [evaluate(item, value_of) for item in node.items]
        return False if False in results else (None if None in results else True)
    if isinstance(node, Or):
        results = [evaluate(item, value_of) for item in node.items]
        return True if True in results else (None if None in results else False)
    if isinstance(node, Not):
        result = evaluate(node.item, value_of)
        return None if result is None else not result
    if isinstance(node, InList):
        value = value_of(node.operand)
        results = [
            (value is None) if literal.value is None else _equal(value, literal.value)
            for literal in node.values
        ]
        found = True if True in results else (None if None in results else False)
        if not node.values:  # in []: false, or unknown when the value is missing
            found = None if value is None else False
        return found if not node.negated or found is None else not found
    if isinstance(node, TextTest):
        value = value_of(node.operand)
        if not isinstance(value, str):
            return None
        text = node.text.value
        result = {
            "startswith": value.startswith(text),
            "endswith": value.endswith(text),
            "contains": text in value,
        }[node.test]
        return not result if node.negated else result
    assert isinstance(node, Compare)
    left = value_of(node.left)
    if isinstance(node.right, Literal) and node.right.value is None:
        return (left is None) == (node.op == "==")
    right = node.right.value if isinstance(node.right, Literal) else value_of(node.right)
    if left is None or right is None or kind(left) != kind(right):
        return None
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[node.op]


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "text" if isinstance(value, str) else "number"


def _equal(value: Any, listed: Any) -> bool | None:
    if value is None or kind(value) != kind(listed):
        return None
    return bool(value == listed)
