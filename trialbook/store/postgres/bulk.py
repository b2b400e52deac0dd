"""Bulk writes: rows streamed with COPY in PostgreSQL's binary format, in the caller's
transaction (one per flush); see benchmarks/postgres_store.py for the rates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import sql

#: The COPY column types of the bulk-written tables (binary COPY needs them spelt out).
COLUMN_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "metric_points": (
        ("series_id", "int8"),
        ("seq", "int8"),
        ("step", "int8"),
        ("time", "float8"),
        ("value", "float8"),
    ),
    "metric_buckets": (
        ("series_id", "int8"),
        ("level", "int4"),
        ("bucket", "int8"),
        ("count", "int8"),
        ("first_seq", "int8"),
        ("first_step", "int8"),
        ("first_time", "float8"),
        ("first_value", "float8"),
        ("last_seq", "int8"),
        ("last_step", "int8"),
        ("last_time", "float8"),
        ("last_value", "float8"),
        ("min_seq", "int8"),
        ("min_step", "int8"),
        ("min_time", "float8"),
        ("min_value", "float8"),
        ("max_seq", "int8"),
        ("max_step", "int8"),
        ("max_time", "float8"),
        ("max_value", "float8"),
        ("nan_seq", "int8"),
        ("nan_step", "int8"),
        ("nan_time", "float8"),
    ),
}


def copy_rows(connection: psycopg.Connection, table: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` (tuples in the table's column order) into ``table``."""
    columns = COLUMN_TYPES[table]
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([kind for _, kind in columns])
        for row in rows:
            copy.write_row(row)


def copy_flat(connection: psycopg.Connection, table: str, flat: Sequence[Any]) -> None:
    """COPY rows laid end to end in one flat list (the row builder's layout)."""
    width = len(COLUMN_TYPES[table])
    if flat:
        copy_rows(connection, table, zip(*[iter(flat)] * width, strict=True))
