"""Bulk writes: rows streamed with COPY in PostgreSQL's binary format, in the caller's
transaction (one per flush), and left open while the client computes (``start_copy``); see
benchmarks/postgres_store.py for the rates."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy
import psycopg
from psycopg import sql
from psycopg.copy import LibpqWriter

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


#: Rows packed a piece: the server starts writing after the first piece, not after them all.
CHUNK_ROWS = 4096
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
_NATIVE = {"int8": numpy.int64, "int4": numpy.int32, "float8": numpy.float64}
_DTYPES = {"int8": ">i8", "int4": ">i4", "float8": ">f8"}
_SIZES = {"int8": 8, "int4": 4, "float8": 8}
_NEVER_NAN = frozenset({"time", "first_time", "last_time"})  # NOT NULL times on SQLite


def binary_copy_chunks(table: str, columns: Sequence[Sequence[Any]]) -> Iterator[bytes]:
    """The rows of ``columns`` (whole columns, in the table's order) in COPY's binary format,
    ``CHUNK_ROWS`` rows a piece (the first with the header, the last with the trailer), each
    packed only when asked for: a caller that sends a piece before asking for the next has
    the server write it meanwhile."""
    size = len(columns[0]) if columns else 0
    parts = [_SIGNATURE]
    for start in range(0, size, CHUNK_ROWS):
        piece = [column[start : start + CHUNK_ROWS] for column in columns]
        parts.append(_packed_rows(table, piece))
        if start + CHUNK_ROWS >= size:
            parts.append(_TRAILER)
        yield b"".join(parts)
        parts = []
    if not size:
        yield _SIGNATURE + _TRAILER


def binary_copy_data(table: str, columns: Sequence[Sequence[Any]]) -> bytes:
    """The rows of ``columns`` in COPY's binary format, in one piece."""
    return b"".join(binary_copy_chunks(table, columns))


def _column_array(kind: str, column: Sequence[Any]) -> tuple[numpy.ndarray, numpy.ndarray | None]:
    """One column as a native numpy array, and which of its rows are NULL (None when none
    is): a float column reads None as NaN, and NaN is NULL (the core stores NaN as NULL)."""
    if isinstance(column, range):
        return numpy.arange(column.start, column.stop, column.step, dtype=_NATIVE[kind]), None
    try:  # one C-level conversion
        array = numpy.array(column, dtype=_NATIVE[kind])
    except TypeError:  # None in an integer column
        if column.count(None) == len(column):  # type: ignore[attr-defined]
            return numpy.zeros(len(column), _NATIVE[kind]), numpy.ones(len(column), bool)
        null = numpy.fromiter((value is None for value in column), bool, len(column))
        array = numpy.array([0 if value is None else value for value in column], _NATIVE[kind])
        return array, null
    if kind != "float8":
        return array, None
    null = numpy.isnan(array)
    return array, (null if null.any() else None)


def _packed_rows(table: str, columns: Sequence[Sequence[Any]]) -> bytes:
    """The rows of ``columns`` in COPY's binary format (no header), built by numpy a column
    at a time (psycopg's ``write_row`` costs about a microsecond a row in Python; this, a few
    tens of nanoseconds). None is NULL, and so is NaN. A binary row has a fixed layout only
    while the same fields are NULL, so rows are grouped by which fields are NULL (usually one
    group; row order is free)."""
    names = [name for name, _ in COLUMN_TYPES[table]]
    kinds = [kind for _, kind in COLUMN_TYPES[table]]
    width = len(kinds)
    if len(columns) != width:
        raise ValueError(f"{table} has {width} columns, not {len(columns)}")
    arrays: list[numpy.ndarray] = []
    nulls: dict[int, numpy.ndarray] = {}  # column → which rows are NULL (when any is)
    for index, kind in enumerate(kinds):
        array, null = _column_array(kind, columns[index])
        if null is not None:
            if names[index] in _NEVER_NAN:  # SQLite refuses a NaN there (NOT NULL)
                raise ValueError(f"{table}.{names[index]} cannot be NaN")
            nulls[index] = null
        arrays.append(array)
    size = len(arrays[0])
    if nulls:  # group the rows by their NULL fields
        key = numpy.zeros(size, numpy.int64)
        for bit, null in enumerate(nulls.values()):
            key |= null.astype(numpy.int64) << bit
        groups = [numpy.flatnonzero(key == value) for value in numpy.unique(key)]
    else:
        groups = [None]
    parts = []
    for rows in groups:
        first = 0 if rows is None else rows[0]
        null_here = {index for index, null in nulls.items() if null[first]}
        fields: list[tuple[str, str]] = [("count", ">i2")]
        for index, kind in enumerate(kinds):
            fields.append((f"length{index}", ">i4"))
            if index not in null_here:
                fields.append((f"value{index}", _DTYPES[kind]))
        packed = numpy.empty(size if rows is None else len(rows), dtype=numpy.dtype(fields))
        packed["count"] = width
        for index, kind in enumerate(kinds):
            if index in null_here:
                packed[f"length{index}"] = -1
                continue
            packed[f"length{index}"] = _SIZES[kind]
            packed[f"value{index}"] = arrays[index] if rows is None else arrays[index][rows]
        parts.append(packed.tobytes())
    return b"".join(parts)


def _copy_statement(table: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in COLUMN_TYPES[table]),
    )


def copy_columns(
    connection: psycopg.Connection, table: str, columns: Sequence[Sequence[Any]]
) -> None:
    """COPY rows given as whole columns."""
    if columns and len(columns[0]):
        start_copy(connection, table, binary_copy_chunks(table, columns)).finish()


class OpenCopy:
    """A COPY whose rows are all sent, left open so that the server writes them while the
    client goes on computing; ``finish`` waits for the server (and raises its error), and
    ``abandon`` cancels it. Until then psycopg holds the connection's lock: any other
    statement on the connection must come after one of them."""

    def __init__(self, cursor: psycopg.Cursor[Any], block: AbstractContextManager[Any]) -> None:
        self.cursor = cursor
        self.block = block  # psycopg's ``cursor.copy()`` block, entered

    def finish(self) -> None:
        try:
            self.block.__exit__(None, None, None)
        finally:
            self.cursor.close()

    def abandon(self, error: BaseException) -> None:
        try:  # sends CopyFail; the server's "COPY failed" answer is expected and dropped
            self.block.__exit__(type(error), error, error.__traceback__)
        finally:
            self.cursor.close()


def start_copy(connection: psycopg.Connection, table: str, pieces: Iterable[bytes]) -> OpenCopy:
    """Send the COPY data ``pieces`` (``binary_copy_chunks``) one by one, packing the next
    while the server writes the last, and return without waiting for the server to end."""
    cursor = connection.cursor()
    # flush_threshold=0: every block goes to the socket now, none waits in libpq
    block = cursor.copy(_copy_statement(table), writer=LibpqWriter(cursor, flush_threshold=0))
    try:
        copy = block.__enter__()
    except BaseException:
        cursor.close()
        raise
    opened = OpenCopy(cursor, block)
    try:
        for piece in pieces:
            copy.write(piece)
    except BaseException as error:
        opened.abandon(error)
        raise
    return opened
