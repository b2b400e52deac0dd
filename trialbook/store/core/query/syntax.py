"""The query's syntax tree: a handful of frozen nodes, built only by ``parser`` from a whitelist.

Names are kept as written (``Name``) until ``names.resolve`` turns them into ``Field``s
against the names an experiment knows; the SQL compiler only ever sees resolved trees.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

#: Summaries of a metric a query can name; ``metrics.<name>`` alone means ``last``.
METRIC_STATS = ("last", "min", "max", "avg", "stddev", "count")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
TEXT_TESTS = ("startswith", "endswith", "contains")

Value = int | float | str | bool | None


@dataclass(frozen=True)
class Span:
    """Character offsets into the query text (``end`` exclusive), for pinpointed errors."""

    start: int
    end: int


@dataclass(frozen=True)
class Name:
    """A name as written: ``("lr",)``, ``("params", "lr")``, ``("metrics", "loss", "max")``."""

    parts: tuple[str, ...]
    span: Span

    def __str__(self) -> str:
        return written_name(self.parts)


@dataclass(frozen=True)
class Field:
    """A resolved name. ``kind``: "attribute" (``key`` one of ``ATTRIBUTES``), "variable",
    "parameter", "value" (a bare name: the variable, else the parameter), "metric" (with
    ``stat``) or "tag"."""

    kind: str
    key: str
    stat: str | None = None
    span: Span = Span(0, 0)

    @property
    def type(self) -> str:
        """ "text", "number", "time" or "any" (variables, parameters and tags hold any type)."""
        if self.kind == "metric":
            return "number"
        if self.kind == "tag":
            return "text"
        if self.kind == "attribute":
            return ATTRIBUTES[self.key]
        return "any"


#: The fixed names and the type of their values.
ATTRIBUTES = {
    "name": "text",
    "experiment": "text",
    "status": "text",
    "created": "time",
    "started": "time",
    "ended": "time",
    "duration": "number",
    "objective": "number",
}


@dataclass(frozen=True)
class Literal:
    value: Value
    span: Span


Operand = Name | Field | Literal


@dataclass(frozen=True)
class Compare:
    """``left op right``; a ``None`` literal turns ``==``/``!=`` into "is missing"/"is present"."""

    op: str
    left: Operand
    right: Operand
    span: Span


@dataclass(frozen=True)
class InList:
    """``operand in [values]`` (``negated``: ``not in``)."""

    operand: Operand
    values: tuple[Literal, ...]
    negated: bool
    span: Span


@dataclass(frozen=True)
class TextTest:
    """``operand.startswith(text)``, ``.endswith(text)`` or ``text in operand`` ("contains")."""

    test: str
    operand: Operand
    text: Literal
    negated: bool
    span: Span


@dataclass(frozen=True)
class And:
    items: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class Or:
    items: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class Not:
    item: Expression
    span: Span


Expression = Compare | InList | TextTest | And | Or | Not


def written_name(parts: tuple[str, ...]) -> str:
    """How a user writes these parts: dotted where they are identifiers, else ``["…"]``."""
    text = parts[0]
    for part in parts[1:]:
        text += f".{part}" if is_plain_name(part) else f"[{_quote(part)}]"
    return text


def is_plain_name(part: str) -> bool:
    """Whether ``part`` can be written after a dot (else it needs ``["…"]``)."""
    return part.isidentifier() and not keyword.iskeyword(part)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
