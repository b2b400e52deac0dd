"""PostgreSQL's spelling of the core's SQL: psycopg placeholders, jsonb for the JSON text
columns, ``scalar`` values (scalar.py) where SQLite compares untyped values."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from trialbook.store.core.backend import Dialect

_IS_NOT_PLACEHOLDER = re.compile(r"\bIS NOT (%s|%\(\w+\)s)")
_BOUND_LIMIT = re.compile(r"\bLIMIT (%s|%\(\w+\)s)")
_EMPTY_IN = re.compile(r"[\w.]+\s+(NOT\s+)?IN\s*\(\s*\)")
# SQLite's "nulls last" idiom; PostgreSQL would evaluate the key twice (a trial table's sort
# key is a correlated subquery: twice the time), NULLS LAST evaluates it once.
_NULLS_LAST = re.compile(r"CASE WHEN ([\w.]+) IS NULL THEN 1 ELSE 0 END, \1 (ASC|DESC)\b")


@functools.lru_cache(maxsize=4096)
def psycopg_sql(text: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s`` and ``%`` → ``%%`` outside string literals
    (``%`` inside them too); SQLite's null-safe ``IS NOT ?`` → ``IS DISTINCT FROM``; an
    empty ``x IN ()`` / ``x NOT IN ()`` (SQLite's "no values") → ``false`` / ``true``; a
    bound ``LIMIT -1`` (SQLite's "no limit") → ``LIMIT NULL``; SQLite's nulls-last idiom
    ``CASE WHEN k IS NULL THEN 1 ELSE 0 END, k DESC`` → ``k DESC NULLS LAST``."""
    out: list[str] = []
    index, length, quoted = 0, len(text), False
    while index < length:
        char = text[index]
        if char == "%":
            out.append("%%")
        elif char == "'":
            quoted = not quoted
            out.append(char)
        elif quoted:
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == ":" and index + 1 < length and text[index + 1] == ":":
            out.append("::")
            index += 1
        elif (
            char == ":"
            and index + 1 < length
            and (text[index + 1].isalpha() or text[index + 1] == "_")
        ):
            end = index + 1
            while end < length and (text[end].isalnum() or text[end] == "_"):
                end += 1
            out.append(f"%({text[index + 1 : end]})s")
            index = end - 1
        else:
            out.append(char)
        index += 1
    converted = _IS_NOT_PLACEHOLDER.sub(r"IS DISTINCT FROM \1", "".join(out))
    converted = _BOUND_LIMIT.sub(r"LIMIT NULLIF(\1, -1)", converted)
    converted = _NULLS_LAST.sub(r"\1 \2 NULLS LAST", converted)
    return _EMPTY_IN.sub(lambda match: "true" if match.group(1) else "false", converted)


def _jsonb(document: str) -> str:
    return f"({document})::jsonb"


class PostgresDialect(Dialect):
    name = "postgresql"
    parameter_order = "id"
    cursor_tells_inserted_id = False

    def sql(self, text: str) -> str:
        return psycopg_sql(text)

    def in_ids(self, column: str, ids: Sequence[Any]) -> tuple[str, list[Any]]:
        # One array parameter: an index probe for any count. An IN list of 500 placeholders
        # costs ~1 ms to plan and is planned from its values: a sequential scan of
        # metric_series with a 500-value filter for a page's components.
        return f"{column} = ANY(?)", [list(ids)]

    def index_hint(self, index: str) -> str:
        return ""

    def json_member(self, document: str) -> str:
        return f"scalar_of_json({_jsonb(document)} -> ?)"

    def json_member_of_type(self, document: str, kind: str) -> str:
        # a scalar like json_member's (and like parameters.value, which queries coalesce it with)
        json_type = {"number": "number", "text": "string", "bool": "boolean"}[kind]
        return (
            f"(SELECT CASE WHEN jsonb_typeof(m.v) = '{json_type}' THEN scalar_of_json(m.v) END"
            f" FROM (SELECT {_jsonb(document)} -> ? AS v) m)"
        )

    def json_members_as_text(self, document: str) -> tuple[str, str, str]:
        source = _jsonb(document)
        return (
            f"jsonb_each(CASE WHEN jsonb_typeof({source}) = 'object' THEN {source} END) j",
            "j.key",
            "CASE jsonb_typeof(j.value) WHEN 'string' THEN j.value #>> '{}' ELSE j.value::text END",
        )

    def text_contains(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle}) > 0"

    def text_ends_with(self, text: str, suffix: str) -> str:
        return f"right({text}, length({suffix})) = {suffix}"

    def json_keys(self, document: str) -> tuple[str, str]:
        # jsonb_each raises on a non-object: feed it objects only (whatever the plan's order)
        source = _jsonb(document)
        return (
            f"jsonb_each(CASE WHEN jsonb_typeof({source}) = 'object' THEN {source} END) j",
            "j.key",
        )

    def json_is_object(self, document: str) -> str:
        return f"jsonb_typeof({_jsonb(document)}) = 'object'"

    def json_without(self, document: str, keys: Sequence[str]) -> str:
        names = ", ".join("'" + key.replace("'", "''") + "'" for key in keys)
        return f"({_jsonb(document)} - ARRAY[{names}]::text[])::text"

    # JIT compiling a pivot's 60 aggregates took 4.9 of its 14.6 s; its hash aggregate of
    # 100,000 groups spilled to disk in batches with the default 4 MB.
    bulk_read_settings = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'")
    parameter_cells = (
        Dialect.parameter_cells[0],
        "({j}.value).number",
        "({j}.value).text",  # an int's exact digits, a str
    )

    def pivot(self, rows: str, table: str, cells: Sequence[str], names: int) -> str:
        # One pass with an aggregate a name and cell: a LEFT JOIN a name becomes hash joins
        # over the whole table, one a name (8.6 s against 1.6 s at 100,000 × 20).
        selected = ", ".join(
            f"max({cell.format(j='j')}) FILTER (WHERE j.name = :name{k})"
            for k in range(names)
            for cell in cells
        )
        listed = ", ".join(f":name{k}" for k in range(names))
        return (
            f"SELECT r.row_id, {selected} FROM ({rows}) r LEFT JOIN {table} j"
            f" ON j.component_id = r.component_id AND j.name IN ({listed})"
            " GROUP BY r.row_id ORDER BY r.row_id"
        )

    def limit_offset(self, limit: int | None, offset: int) -> str:
        return f" LIMIT {'ALL' if limit is None else int(limit)} OFFSET {int(offset)}"

    def contains_text(self, expression: str) -> str:
        return f"strpos(lower(CAST({expression} AS TEXT)), lower(?)) > 0"
