"""Resolve written names against what the experiments know, and check literals against them.

Unknown names are errors that suggest the closest known ones ("unknown name 'lrr': did you
mean 'lr'?"); time fields turn ISO strings into epoch seconds; statuses are checked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from trialbook.errors import QueryError
from trialbook.status import ALL_STATUSES
from trialbook.store.core.query.syntax import (
    ATTRIBUTES,
    METRIC_STATS,
    And,
    Compare,
    Expression,
    Field,
    InList,
    Literal,
    Name,
    Not,
    Operand,
    Or,
    Span,
    TextTest,
    is_plain_name,
    written_name,
)

_VARIABLE_GROUPS = ("variables",)
_PARAMETER_GROUPS = ("params", "parameters")


@dataclass(frozen=True)
class QuerySchema:
    """The names a query may use: those of the experiment(s) it runs over.

    ``metrics`` are trial metric keys (a clash between components is ``<display>/<metric>``).
    """

    variables: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        variables: Iterable[str] = (),
        parameters: Iterable[str] = (),
        metrics: Iterable[str] = (),
    ) -> QuerySchema:
        return cls(
            tuple(dict.fromkeys(variables)),
            tuple(dict.fromkeys(parameters)),
            tuple(dict.fromkeys(metrics)),
        )

    @cached_property
    def _sets(self) -> dict[str, frozenset[str]]:
        return {
            "variables": frozenset(self.variables),
            "parameters": frozenset(self.parameters),
            "metrics": frozenset(self.metrics),
        }

    def _set(self, group: str) -> frozenset[str]:
        return self._sets[group]

    def has(self, group: str, name: str) -> bool:
        """Whether ``name`` is known; ``<display_name>/<name>`` (a trial's clash key) counts
        when ``<name>`` does, for parameters and metrics."""
        if name in self._set(group):
            return True
        label, _, plain = name.rpartition("/")
        return bool(label) and group != "variables" and plain in self._set(group)

    def completions(self) -> list[str]:
        """Every name a user can write, as they would write it (for a query bar)."""
        names = list(ATTRIBUTES)
        for name in dict.fromkeys((*self.variables, *self.parameters)):
            group = "variables" if name in self._set("variables") else "params"
            if name in ATTRIBUTES or not is_plain_name(name):
                names.append(written_name((group, name)))
            else:
                names.append(name)
        names += [written_name(("metrics", metric)) for metric in self.metrics]
        return list(dict.fromkeys(names))


def resolve(expression: Expression, schema: QuerySchema, query: str) -> Expression:
    """The tree with every Name a Field, literals checked and converted; else QueryError."""
    return _Resolver(schema, query).expression(expression)


class _Resolver:
    def __init__(self, schema: QuerySchema, query: str) -> None:
        self.schema = schema
        self.query = query

    def error(self, message: str, span: Span) -> QueryError:
        return QueryError(message, self.query, span.start, span.end)

    def expression(self, node: Expression) -> Expression:
        if isinstance(node, (And, Or)):
            return type(node)(tuple(self.expression(item) for item in node.items), node.span)
        if isinstance(node, Not):
            return Not(self.expression(node.item), node.span)
        if isinstance(node, InList):
            operand = self.field(node.operand)
            values = tuple(self.value_for(operand, value, "in") for value in node.values)
            return InList(operand, values, node.negated, node.span)
        if isinstance(node, TextTest):
            if isinstance(node.operand, Name) and node.operand.parts == ("tags",):
                key = node.text.value
                assert isinstance(key, str)
                tag = Field("tag", key, span=node.operand.span)  # "team" in tags: has the tag
                return Compare(
                    "!=" if not node.negated else "==",
                    tag,
                    Literal(None, node.text.span),
                    node.span,
                )
            operand = self.field(node.operand)
            if operand.type in ("number", "time"):
                raise self.error(
                    f"{written(operand)} holds numbers: .{node.test}() and 'in' test text",
                    node.span,
                )
            return TextTest(node.test, operand, node.text, node.negated, node.span)
        assert isinstance(node, Compare)
        left, right = self.operand(node.left), self.operand(node.right)
        if isinstance(left, Literal):  # keep the name on the left: 0.1 < lr is lr > 0.1
            left, right = right, left
            node = Compare(_MIRRORED[node.op], left, right, node.span)
        assert isinstance(left, Field)
        if isinstance(right, Literal):
            right = self.value_for(left, right, node.op)
        elif _kind_of_values(left) != _kind_of_values(right) and "any" not in (
            left.type,
            right.type,
        ):
            raise self.error(
                f"{written(left)} holds {_kind_of_values(left)} and {written(right)} "
                f"{_kind_of_values(right)}: they cannot be compared",
                node.span,
            )
        return Compare(node.op, left, right, node.span)

    def operand(self, operand: Operand) -> Field | Literal:
        return operand if isinstance(operand, Literal) else self.field(operand)

    def value_for(self, target: Field, value: Literal, op: str) -> Literal:
        """Check ``value`` against what ``target`` holds; ISO strings become epoch seconds."""
        if value.value is None:
            if op not in ("==", "!=", "in"):
                raise self.error(
                    f"None means missing: test it with {written(target)} == None or != None "
                    f"(or 'is None'), not with {op!r}",
                    value.span,
                )
            return value
        if target.type == "time":
            return Literal(self.time(value), value.span)
        if target.type == "number" and not _is_number(value.value):
            raise self.error(
                f"{written(target)} holds numbers: expected a number, not {value.value!r}",
                value.span,
            )
        if target.type == "text" and not isinstance(value.value, str):
            raise self.error(
                f'{written(target)} holds text: expected a string such as "…", not {value.value!r}',
                value.span,
            )
        if target.kind == "attribute" and target.key == "status":
            assert isinstance(value.value, str)
            if value.value not in ALL_STATUSES:
                raise self.error(
                    f"unknown status {value.value!r}{_did_you_mean(value.value, ALL_STATUSES)}"
                    f" (statuses: {', '.join(ALL_STATUSES)})",
                    value.span,
                )
        return value

    def time(self, value: Literal) -> float:
        if _is_number(value.value):
            return float(value.value)  # type: ignore[arg-type]
        if isinstance(value.value, str):
            text = value.value.strip()
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                pass
            else:
                if moment.tzinfo is None:  # times are UTC unless they say otherwise
                    moment = moment.replace(tzinfo=timezone.utc)
                return moment.timestamp()
        raise self.error(
            f'expected an ISO 8601 time such as "2026-12-01" or "2026-12-01T14:30:00Z" '
            f"(UTC unless an offset is given), or epoch seconds; not {value.value!r}",
            value.span,
        )

    # -- names ----------------------------------------------------------------------------------
    def field(self, name: Operand) -> Field:
        assert isinstance(name, Name)
        parts, span = name.parts, name.span
        head, rest = parts[0], parts[1:]
        if head in ATTRIBUTES and not rest:
            return Field("attribute", head, span=span)
        if head in _VARIABLE_GROUPS + _PARAMETER_GROUPS:
            if not rest:
                raise self.error(f"expected a name after {head!r}, e.g. {head}.lr", span)
            key = ".".join(rest)  # a parameter may be called "optimizer.lr"
            group = "variables" if head in _VARIABLE_GROUPS else "parameters"
            if self.schema.has(group, key):
                return Field("variable" if group == "variables" else "parameter", key, span=span)
            known = [written_name((head, other)) for other in getattr(self.schema, group)]
            what = "variable" if group == "variables" else "parameter"
            raise self.error(f"unknown {what} {str(name)!r}{_did_you_mean(str(name), known)}", span)
        if head == "metrics":
            return self.metric(name)
        if head == "tags":
            if len(rest) != 1:
                raise self.error(
                    'expected one tag key after tags, e.g. tags.team == "vision" or "team" in tags',
                    span,
                )
            return Field("tag", rest[0], span=span)
        if rest:
            raise self.unknown(name, f"{head!r} has no fields")
        in_variables = self.schema.has("variables", head)
        in_parameters = self.schema.has("parameters", head)
        if in_variables and in_parameters:
            return Field("value", head, span=span)
        if in_variables:
            return Field("variable", head, span=span)
        if in_parameters:
            return Field("parameter", head, span=span)
        if self.schema.has("metrics", head):
            metric = written_name(("metrics", head))
            raise self.error(f"unknown name {head!r}: did you mean {metric!r}?", span)
        raise self.unknown(name)

    def metric(self, name: Name) -> Field:
        rest, span = name.parts[1:], name.span
        if not rest:
            raise self.error("expected a metric after 'metrics', e.g. metrics.loss.min", span)
        whole = ".".join(rest)
        if self.schema.has("metrics", whole):
            return Field("metric", whole, "last", span)
        if len(rest) > 1:
            metric, stat = ".".join(rest[:-1]), rest[-1]
            if self.schema.has("metrics", metric):
                if stat in METRIC_STATS:
                    return Field("metric", metric, stat, span)
                written_metric = written_name(("metrics", metric))
                raise self.error(
                    f"unknown summary {stat!r} of {written_metric}"
                    f"{_did_you_mean(stat, METRIC_STATS)} (summaries: "
                    f"{', '.join(METRIC_STATS)})",
                    span,
                )
        known = {metric: written_name(("metrics", metric)) for metric in self.schema.metrics}
        typed = rest[:-1] if len(rest) > 1 and rest[-1] in METRIC_STATS else rest
        written_metric = written_name(("metrics", *typed))
        suggestion = _did_you_mean(".".join(typed), known)
        message = f"unknown metric {written_metric!r}{suggestion}"
        if not known:
            message += " (no metric has been logged here yet)"
        raise self.error(message, span)

    def unknown(self, name: Name, detail: str = "") -> QueryError:
        written_form = str(name)
        known = {completion: completion for completion in self.schema.completions()}
        known.update({metric: written_name(("metrics", metric)) for metric in self.schema.metrics})
        message = f"unknown name {written_form!r}"
        suggestion = _did_you_mean(written_form, known)
        if detail and not suggestion:
            message += f": {detail}"
        message += suggestion
        if not suggestion:
            message += (
                f"; names are {', '.join(ATTRIBUTES)}, a variable or parameter (lr, "
                "params.lr), metrics.<name>.<last|min|max|avg|stddev|count> or tags.<key>"
            )
        return self.error(message, name.span)


_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def written(target: Field) -> str:
    if target.kind == "attribute":
        return target.key
    if target.kind == "metric":
        parts = ("metrics", target.key) + ((target.stat,) if target.stat != "last" else ())
        return written_name(parts)
    group = {"variable": "variables", "parameter": "params", "tag": "tags"}.get(target.kind)
    return written_name((target.key,)) if group is None else written_name((group, target.key))


def _kind_of_values(target: Field) -> str:
    return {"time": "times", "number": "numbers", "text": "text"}.get(target.type, "any")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _did_you_mean(word: str, candidates: Iterable[str] | dict[str, str]) -> str:
    """ ": did you mean 'x'?" for the closest candidates (``{compared: shown}`` or names).

    Only matches nearly as close as the best one are named, so a shared prefix such as
    ``params.`` does not drag in every other parameter."""
    shown = candidates if isinstance(candidates, dict) else {name: name for name in candidates}
    scored: list[tuple[float, str]] = []
    for compared, display in shown.items():
        ratio = max(
            difflib.SequenceMatcher(None, word, compared).ratio(),
            difflib.SequenceMatcher(None, word.casefold(), compared.casefold()).ratio() - 0.05,
        )
        if ratio >= 0.6:
            scored.append((ratio, display))
    if not scored:
        return ""
    best = max(ratio for ratio, _ in scored)
    scored.sort(key=lambda item: -item[0])
    names = list(dict.fromkeys(display for ratio, display in scored if ratio >= best - 0.1))[:3]
    return ": did you mean " + " or ".join(repr(name) for name in names) + "?"
