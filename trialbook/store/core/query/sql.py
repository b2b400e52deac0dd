"""A resolved query → a SQL condition with bound parameters, in SQL's three-valued logic.

Every value from the query travels as a ``?`` parameter (the store core's placeholder; the
backend's dialect turns it into its driver's style); names become the expressions a store
supplies through ``ColumnSql``, so the compiler knows no table. A comparison with a missing
value, or with a value of another kind than the literal's, is NULL (unknown); ``not`` keeps
it unknown, and a trial matches only where the whole condition is true: missing values never
match, whichever operator is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from trialbook.store.core.query.syntax import (
    And,
    Compare,
    Expression,
    Field,
    InList,
    Literal,
    Not,
    Or,
    TextTest,
)

Sql = tuple[str, list[Any]]
#: (field, view) → a SQL expression for the field's value over the trial row, and its
#: parameters. ``view`` "number", "text" or "bool" asks for the value only where it has that
#: kind (else NULL): variables and parameters hold any kind, and a comparison looks at the
#: literal's kind only, the same way on every engine. ``None``: the value, for IS NULL.
ColumnSql = Callable[[Field, "str | None"], Sql]

_SQL_COMPARISONS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class TextSql(Protocol):
    """The text tests whose spelling differs between engines (the store's ``Dialect``)."""

    def text_contains(self, haystack: str, needle: str) -> str: ...

    def text_ends_with(self, text: str, suffix: str) -> str: ...


class _Spelling:
    def __init__(self, contains: str, ends_with: str) -> None:
        self._contains = contains
        self._ends_with = ends_with

    def text_contains(self, haystack: str, needle: str) -> str:
        return self._contains.format(haystack=haystack, needle=needle)

    def text_ends_with(self, text: str, suffix: str) -> str:
        return self._ends_with.format(text=text, suffix=suffix)


#: Stand-alone spellings (a store passes its own ``Dialect``, which has both methods).
SQLITE: TextSql = _Spelling(
    "instr({haystack}, {needle}) > 0", "substr({text}, -length({suffix})) = {suffix}"
)
POSTGRES: TextSql = _Spelling(
    "strpos({haystack}, {needle}) > 0", "right({text}, length({suffix})) = {suffix}"
)


def compile_condition(expression: Expression, columns: ColumnSql, dialect: TextSql = SQLITE) -> Sql:
    """The SQL condition of a resolved ``expression`` and its parameters, in order."""
    return _Compiler(columns, dialect).condition(expression)


class _Compiler:
    def __init__(self, columns: ColumnSql, dialect: TextSql) -> None:
        self.columns = columns
        self.dialect = dialect

    def condition(self, node: Expression) -> Sql:
        if isinstance(node, (And, Or)):
            joiner = " AND " if isinstance(node, And) else " OR "
            parts = [self.condition(item) for item in node.items]
            return "(" + joiner.join(sql for sql, _ in parts) + ")", _flat(parts)
        if isinstance(node, Not):
            sql, parameters = self.condition(node.item)
            return f"(NOT {sql})", parameters
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, InList):
            return self.in_list(node)
        return self.text_test(node)

    def value(self, field: Field, view: str | None = None) -> Sql:
        # Typed fields already hold one type; only "any" fields need a typed view.
        return self.columns(field, view if field.type == "any" else None)

    def compare(self, node: Compare) -> Sql:
        left = node.left
        assert isinstance(left, Field)
        right = node.right
        if isinstance(right, Literal) and right.value is None:
            sql, parameters = self.value(left)
            return f"({sql} IS {'NOT ' if node.op == '!=' else ''}NULL)", parameters
        operator = _SQL_COMPARISONS[node.op]
        if isinstance(right, Literal):
            sql, parameters = self.value(left, view_of(right.value))
            return f"({sql} {operator} ?)", [*parameters, right.value]
        assert isinstance(right, Field)
        left_sql, left_parameters = self.value(left, _VIEWS_OF_TYPES.get(right.type, "number"))
        right_sql, right_parameters = self.value(right, _VIEWS_OF_TYPES.get(left.type, "number"))
        return f"({left_sql} {operator} {right_sql})", [*left_parameters, *right_parameters]

    def in_list(self, node: InList) -> Sql:
        """``x in [a, b]`` is ``x == a or x == b`` (``None``: x is missing); ``not in`` is
        its negation, so a missing value stays unknown unless None is listed."""
        assert isinstance(node.operand, Field)
        raw, raw_parameters = self.value(node.operand)
        groups: dict[str, list[Any]] = {}
        for literal in node.values:
            if literal.value is not None:
                groups.setdefault(view_of(literal.value), []).append(literal.value)
        with_none = any(literal.value is None for literal in node.values)
        if not groups:
            if with_none:
                return f"({raw} IS {'NOT ' if node.negated else ''}NULL)", raw_parameters
            if node.negated:  # not in []: true, or unknown when missing
                return f"({raw} IS NOT NULL OR NULL)", raw_parameters
            return f"({raw} IS NULL AND NULL)", raw_parameters  # in []: false, or unknown
        if len(groups) == 1 and not with_none:
            ((view, values),) = groups.items()
            sql, parameters = self.value(node.operand, view)
            negation = "NOT " if node.negated else ""
            return f"({sql} {negation}IN ({_marks(values)}))", [*parameters, *values]
        parts, values = [], []
        for view, listed in groups.items():
            sql, parameters = self.value(node.operand, view)
            parts.append(f"{sql} IN ({_marks(listed)})")
            values += [*parameters, *listed]
        if with_none:
            parts.append(f"{raw} IS NULL")
            values += raw_parameters
        condition = "(" + " OR ".join(parts) + ")"
        return (f"(NOT {condition})" if node.negated else condition), values

    def text_test(self, node: TextTest) -> Sql:
        assert isinstance(node.operand, Field)
        sql, parameters = self.value(node.operand, "text")
        text = node.text.value
        if node.test == "startswith":
            condition = f"substr({sql}, 1, length(?)) = ?"
            values = [*parameters, text, text]
        elif node.test == "endswith" and text == "":
            condition, values = f"{sql} IS NOT NULL OR NULL", list(parameters)
        elif node.test == "endswith":
            condition = self.dialect.text_ends_with(sql, "?")
            values = [*parameters, text, text]
        else:
            condition = self.dialect.text_contains(sql, "?")
            values = [*parameters, text]
        if node.negated:
            return f"(NOT ({condition}))", values
        return f"({condition})", values


def view_of(value: Any) -> str:
    """Which of a value's kinds a literal compares with: "bool", "number" or "text"."""
    if isinstance(value, bool):
        return "bool"
    return "text" if isinstance(value, str) else "number"


_VIEWS_OF_TYPES = {"text": "text", "number": "number", "time": "number"}


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _flat(parts: list[Sql]) -> list[Any]:
    return [value for _, parameters in parts for value in parameters]
