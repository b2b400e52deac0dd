"""One query language for trials: Python-like text → syntax tree → SQL with bound parameters.

``parse`` reads the text through a whitelist (never eval), ``resolve`` checks names and
values against a ``QuerySchema``, ``compile_condition`` turns the tree into a SQL condition
over the store's expressions. ``condition_sql`` does all three. See docs/query.md.
"""

from __future__ import annotations

from trialbook.errors import QueryError
from trialbook.store.core.query.names import QuerySchema, resolve
from trialbook.store.core.query.parser import MAX_QUERY_LENGTH, parse
from trialbook.store.core.query.sql import (
    POSTGRES,
    SQLITE,
    ColumnSql,
    Sql,
    TextSql,
    compile_condition,
)
from trialbook.store.core.query.syntax import ATTRIBUTES, METRIC_STATS, Expression, Field

__all__ = [
    "ATTRIBUTES",
    "MAX_QUERY_LENGTH",
    "METRIC_STATS",
    "POSTGRES",
    "SQLITE",
    "ColumnSql",
    "Expression",
    "Field",
    "QueryError",
    "QuerySchema",
    "Sql",
    "TextSql",
    "compile_condition",
    "condition_sql",
    "parse",
    "resolve",
]


def condition_sql(
    query: str, schema: QuerySchema, columns: ColumnSql, dialect: TextSql = SQLITE
) -> Sql:
    """The SQL condition of ``query`` over the store's ``columns``; QueryError if invalid."""
    return compile_condition(resolve(parse(query), schema, query), columns, dialect)
