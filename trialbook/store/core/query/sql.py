"""A resolved query → a SQL condition with bound parameters, in SQL's three-valued logic.

Every value from the query travels as a ``?`` parameter (the store core's placeholder; the
backend's dialect turns it into its driver's style); names become the expressions a store
supplies through ``ColumnSql``, so the compiler knows no table. A comparison with a missing
value is NULL (unknown), ``not`` keeps it unknown, and a trial matches only where the whole
condition is true: missing values never match, whichever operator is used.
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
#: parameters. ``view`` "number" or "text" asks for the value only where it has that type
#: (else NULL), for orderings and text tests on variables and parameters, which hold any type.
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
            view = None
            if node.op not in ("==", "!="):  # orderings across types are not comparisons
                view = "text" if isinstance(right.value, str) else "number"
            sql, parameters = self.value(left, view)
            return f"({sql} {operator} ?)", [*parameters, right.value]
        left_sql, left_parameters = self.value(left)
        right_sql, right_parameters = self.value(right)
        return f"({left_sql} {operator} {right_sql})", [*left_parameters, *right_parameters]

    def in_list(self, node: InList) -> Sql:
        assert isinstance(node.operand, Field)
        sql, parameters = self.value(node.operand)
        values = [literal.value for literal in node.values if literal.value is not None]
        with_none = len(values) < len(node.values)
        marks = ", ".join("?" * len(values))
        # Each form is NULL for a missing value unless None is listed (then it is known).
        if not node.negated:
            if values and with_none:
                return f"({sql} IN ({marks}) OR {sql} IS NULL)", [*parameters, *values, *parameters]
            if values:
                return f"({sql} IN ({marks}))", [*parameters, *values]
            if with_none:
                return f"({sql} IS NULL)", parameters
            return f"({sql} IS NULL AND NULL)", parameters  # in []: false, or unknown
        if values and with_none:
            return f"({sql} NOT IN ({marks}) AND {sql} IS NOT NULL)", [
                *parameters,
                *values,
                *parameters,
            ]
        if values:
            return f"({sql} NOT IN ({marks}))", [*parameters, *values]
        if with_none:
            return f"({sql} IS NOT NULL)", parameters
        return f"({sql} IS NOT NULL OR NULL)", parameters  # not in []: true, or unknown

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


def _flat(parts: list[Sql]) -> list[Any]:
    return [value for _, parameters in parts for value in parameters]
