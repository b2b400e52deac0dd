"""Bulk writes: rows streamed with COPY in PostgreSQL's binary format, in the caller's
transaction (one per flush); see benchmarks/postgres_store.py for the rates."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy
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


_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_DTYPES = {"int8": ">i8", "int4": ">i4", "float8": ">f8"}
_SIZES = {"int8": 8, "int4": 4, "float8": 8}
_NEVER_NAN = frozenset({"time", "first_time", "last_time"})  # NOT NULL times on SQLite


def binary_copy_data(table: str, flat: Sequence[Any]) -> bytes:
    """The rows of ``flat`` in COPY's binary format, built by numpy a column at a time
    (psycopg's ``write_row`` costs about a microsecond a row in Python; this, a few tens of
    nanoseconds). A binary row has a fixed layout only while the same fields are NULL, so
    rows are grouped by which fields are NULL (usually one group; row order is free)."""
    kinds = [kind for _, kind in COLUMN_TYPES[table]]
    width = len(kinds)
    columns = [flat[index::width] for index in range(width)]
    not_nan = {index for index, (name, _) in enumerate(COLUMN_TYPES[table]) if name in _NEVER_NAN}
    nullable = [index for index, column in enumerate(columns) if None in column]
    if not nullable:
        groups: dict[tuple[bool, ...], list[int] | None] = {(): None}
    else:
        groups = {}
        masks = zip(*([value is None for value in columns[i]] for i in nullable), strict=True)
        for row, mask in enumerate(masks):
            groups.setdefault(mask, []).append(row)  # type: ignore[union-attr]
    parts = [_SIGNATURE]
    for mask, rows in groups.items():
        null = dict(zip(nullable, mask, strict=True)) if mask else {}
        fields: list[tuple[str, str]] = [("count", ">i2")]
        for index, kind in enumerate(kinds):
            fields.append((f"length{index}", ">i4"))
            if not null.get(index):
                fields.append((f"value{index}", _DTYPES[kind]))
        size = len(columns[0]) if rows is None else len(rows)
        packed = numpy.empty(size, dtype=numpy.dtype(fields))
        packed["count"] = width
        for index, kind in enumerate(kinds):
            if null.get(index):
                packed[f"length{index}"] = -1
                continue
            packed[f"length{index}"] = _SIZES[kind]
            column = columns[index]
            packed[f"value{index}"] = column if rows is None else [column[row] for row in rows]
            if index in not_nan and numpy.isnan(packed[f"value{index}"]).any():
                # SQLite refuses a NaN there (NOT NULL); PostgreSQL would store it
                raise ValueError(f"{table}.{COLUMN_TYPES[table][index][0]} cannot be NaN")
        parts.append(packed.tobytes())
    parts.append(_TRAILER)
    return b"".join(parts)


def copy_flat(connection: psycopg.Connection, table: str, flat: Sequence[Any]) -> None:
    """COPY rows laid end to end in one flat list (the row builder's layout)."""
    if not flat:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in COLUMN_TYPES[table]),
    )
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(binary_copy_data(table, flat))
