"""SQLite's bulk-write path: multi-row INSERTs.

One statement binds many rows, so the GIL is released for a whole chunk (not per row as
``executemany`` does) and Python's per-row cost disappears.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Sequence
from typing import Any

_MAX_ROWS_PER_INSERT = 1024
_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


@functools.cache
def _insert_sql(table: str, columns: int, rows: int) -> str:
    row = "(" + ",".join("?" * columns) + ")"
    return f"INSERT INTO {table} VALUES " + ",".join([row] * rows)


def insert_columns(
    connection: sqlite3.Connection, table: str, columns: Sequence[Sequence[Any]]
) -> None:
    """Insert rows given as whole columns: laid out row after row in one flat list (a
    slice assignment a column), then ``insert_rows``."""
    width = len(columns)
    flat: list[Any] = [None] * (width * len(columns[0]))
    for index, column in enumerate(columns):
        flat[index::width] = column
    insert_rows(connection, table, width, flat)


def insert_rows(connection: sqlite3.Connection, table: str, columns: int, flat: list[Any]) -> None:
    """Insert rows given as one flat list, in chunks of power-of-two sizes (so at most
    log2(chunk) distinct statements, all kept in the connection's statement cache)."""
    rows_left = len(flat) // columns
    start = 0
    size = _MAX_ROWS_PER_INSERT
    while size * columns > _MAX_VARIABLES:
        size //= 2
    while rows_left:
        while size > rows_left:
            size //= 2
        end = start + size * columns
        connection.execute(_insert_sql(table, columns, size), flat[start:end])
        start = end
        rows_left -= size
