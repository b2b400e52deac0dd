"""``scalar``: how PostgreSQL holds a value that SQLite keeps without a declared type.

SQLite stores a parameter as it was given (int, float, str) and ``json_each`` hands out a
variable as a number or text, and compares and sorts them as such (numbers before text).
PostgreSQL needs one type: the composite ``scalar (number, text, kind)``, with

- assignment casts from the types psycopg binds Python values as (so the core's
  ``INSERT … VALUES (?)`` stores an int, a float or a str unchanged),
- ``scalar_of_json(jsonb)`` for a variable read from a trial's JSON,
- comparison operators against numbers and text that follow SQLite's rules (numbers compare
  numerically, text after every number), a cast to text for "contains" filters,
- and record ordering that sorts numbers first, then text, like SQLite.

psycopg turns a loaded ``scalar`` back into the Python value (see ``load_scalar``).
"""

from __future__ import annotations

import re
from typing import Any

from psycopg.adapt import Loader

_NUMERIC_TYPES = ("smallint", "integer", "bigint", "numeric")
_OPERATORS = (
    ("=", "eq", "= 0"),
    ("<>", "ne", "<> 0"),
    ("<", "lt", "< 0"),
    ("<=", "le", "<= 0"),
    (">", "gt", "> 0"),
    (">=", "ge", ">= 0"),
)


def ddl() -> str:
    """The statements creating the type, its casts and operators (part of migration 1)."""
    statements = [
        "CREATE TYPE scalar AS (number DOUBLE PRECISION, text TEXT, kind TEXT)",
        "CREATE FUNCTION scalar_of(double precision) RETURNS scalar LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT CASE WHEN $1 IS NULL THEN NULL ELSE ROW($1, NULL, 'float')::scalar END $$",
        "CREATE FUNCTION scalar_of(text) RETURNS scalar LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT CASE WHEN $1 IS NULL THEN NULL ELSE ROW(NULL, $1, 'str')::scalar END $$",
        "CREATE FUNCTION scalar_of(boolean) RETURNS scalar LANGUAGE sql IMMUTABLE AS $$ SELECT"
        " CASE WHEN $1 IS NULL THEN NULL ELSE ROW($1::int, NULL, 'bool')::scalar END $$",
        "CREATE FUNCTION scalar_of_json(jsonb) RETURNS scalar LANGUAGE sql IMMUTABLE AS $$"
        " SELECT CASE jsonb_typeof($1)"
        " WHEN 'number' THEN ROW($1::double precision, $1::text,"
        "  CASE WHEN $1::text ~ '^-?[0-9]+$' THEN 'int' ELSE 'float' END)::scalar"
        " WHEN 'string' THEN ROW(NULL, $1 #>> '{}', 'str')::scalar"
        " WHEN 'boolean' THEN ROW(CASE WHEN $1::boolean THEN 1 ELSE 0 END, NULL, 'bool')::scalar"
        " WHEN 'array' THEN ROW(NULL, $1::text, 'str')::scalar"
        " WHEN 'object' THEN ROW(NULL, $1::text, 'str')::scalar END $$",
        "CREATE FUNCTION scalar_text(scalar) RETURNS text LANGUAGE sql IMMUTABLE"
        " AS $$ SELECT coalesce(($1).text, ($1).number::text) $$",
        "CREATE CAST (scalar AS text) WITH FUNCTION scalar_text(scalar)",
        "CREATE CAST (double precision AS scalar) WITH FUNCTION scalar_of(double precision)"
        " AS ASSIGNMENT",
        "CREATE CAST (text AS scalar) WITH FUNCTION scalar_of(text) AS ASSIGNMENT",
        "CREATE CAST (boolean AS scalar) WITH FUNCTION scalar_of(boolean) AS ASSIGNMENT",
        # -1, 0 or 1 like SQLite's comparison: numbers numerically, text after every number
        "CREATE FUNCTION scalar_cmp(scalar, double precision) RETURNS integer LANGUAGE sql"
        " IMMUTABLE AS $$ SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL"
        " WHEN ($1).number IS NULL THEN 1"
        " WHEN ($1).number < $2 THEN -1 WHEN ($1).number > $2 THEN 1 ELSE 0 END $$",
        "CREATE FUNCTION scalar_cmp(scalar, text) RETURNS integer LANGUAGE sql"
        " IMMUTABLE AS $$ SELECT CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL"
        " WHEN ($1).number IS NOT NULL THEN -1"
        " WHEN ($1).text < $2 THEN -1 WHEN ($1).text > $2 THEN 1 ELSE 0 END $$",
    ]
    for kind in _NUMERIC_TYPES:
        statements += [
            f"CREATE FUNCTION scalar_of({kind}) RETURNS scalar LANGUAGE sql IMMUTABLE AS $$"
            " SELECT CASE WHEN $1 IS NULL THEN NULL"
            " ELSE ROW($1::double precision, $1::text, 'int')::scalar END $$",
            f"CREATE CAST ({kind} AS scalar) WITH FUNCTION scalar_of({kind}) AS ASSIGNMENT",
            f"CREATE FUNCTION scalar_cmp(scalar, {kind}) RETURNS integer LANGUAGE sql"
            " IMMUTABLE AS $$ SELECT scalar_cmp($1, $2::double precision) $$",
        ]
    statements.append(
        "CREATE FUNCTION scalar_cmp(scalar, boolean) RETURNS integer LANGUAGE sql"
        " IMMUTABLE AS $$ SELECT scalar_cmp($1, $2::int::double precision) $$"
    )
    for kind in ("double precision", "text", "boolean", *_NUMERIC_TYPES):
        suffix = kind.replace(" ", "_")
        for operator, name, test in _OPERATORS:
            function = f"scalar_{name}_{suffix}"
            statements += [
                f"CREATE FUNCTION {function}(scalar, {kind}) RETURNS boolean LANGUAGE sql"
                f" IMMUTABLE AS $$ SELECT scalar_cmp($1, $2) {test} $$",
                f"CREATE OPERATOR {operator} (LEFTARG = scalar, RIGHTARG = {kind},"
                f" FUNCTION = {function})",
            ]
    return ";\n".join(statements)


def load_scalar(number: float | None, text: str | None, kind: str | None) -> Any:
    """The Python value of a loaded ``scalar`` (int, float, bool-as-int or str)."""
    if kind == "int":
        return int(text) if text is not None else int(number or 0)
    if kind == "str":
        return text
    if kind == "bool":
        return int(number or 0)
    return number


_ESCAPED = re.compile(r'\\(.)|""', re.DOTALL)


class ScalarLoader(Loader):
    """Loads a ``scalar`` from its text form, ``(number,text,kind)``, straight to the Python
    value: about 5× faster than psycopg's generic composite loader, which parses every field
    with its own loader (a trial table reads tens of thousands of parameter values)."""

    def load(self, data: Any) -> Any:
        raw = bytes(data)
        head, _, kind = raw[1:-1].rpartition(b",")
        number, _, text = head.partition(b",")  # a number's text never holds a comma
        if kind == b"float":
            return float(number) if number else None
        if kind == b"int":
            return int(_text(text)) if text else int(float(number or 0))
        if kind == b"bool":
            return int(float(number)) if number else 0
        return _text(text) if text else None


def _text(field: bytes) -> str:
    """A composite's text field: as is, or quoted with ``""`` and backslash escapes."""
    value = field.decode()
    if not value.startswith('"'):
        return value
    return _ESCAPED.sub(lambda match: match.group(1) or '"', value[1:-1])
