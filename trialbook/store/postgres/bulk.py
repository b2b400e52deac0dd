"""Bulk writes: rows streamed with COPY in PostgreSQL's binary format, in the caller's
transaction (one per flush); see benchmarks/postgres_store.py for the rates."""

from __future__ import annotations

import itertools
import struct
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


_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_CODES = {"int8": "q", "int4": "i", "float8": "d"}
_SIZES = {"int8": 8, "int4": 4, "float8": 8}
_NULL = struct.pack(">i", -1)


def binary_copy_data(table: str, flat: Sequence[Any]) -> bytes:
    """The rows of ``flat`` in COPY's binary format, packed column-wise by C-level struct
    calls (psycopg's ``write_row`` costs ~2 µs a row in Python; this, a fraction of that).
    A batch holding a NULL (a NaN value, a bucket without extremes) is packed field by field."""
    kinds = [kind for _, kind in COLUMN_TYPES[table]]
    width = len(kinds)
    row_struct = struct.Struct(">h" + "".join("i" + _CODES[kind] for kind in kinds))
    columns = [flat[index::width] for index in range(width)]
    lengths = [itertools.repeat(_SIZES[kind]) for kind in kinds]
    arguments = [itertools.repeat(width)]
    for length, column in zip(lengths, columns, strict=True):
        arguments += [length, column]
    if not any(None in column for column in columns):
        body = b"".join(itertools.starmap(row_struct.pack, zip(*arguments, strict=False)))
        return _SIGNATURE + body + _TRAILER
    packed_columns = []
    for kind, column in zip(kinds, columns, strict=True):
        pack, size = struct.Struct(f">i{_CODES[kind]}").pack, _SIZES[kind]
        if None in column:
            packed_columns.append([_NULL if v is None else pack(size, v) for v in column])
        else:
            packed_columns.append(list(map(pack, itertools.repeat(size), column)))
    count = itertools.repeat(struct.pack(">h", width))
    rows = zip(count, *packed_columns, strict=False)
    parts = [_SIGNATURE, b"".join(itertools.chain.from_iterable(rows))]
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
