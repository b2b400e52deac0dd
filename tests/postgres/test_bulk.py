"""Bulk writes on PostgreSQL: binary COPY rows built by numpy, and a COPY left open while
the core computes (finished by the next statement, cancelled by a rollback)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import psycopg
import pytest

from trialbook.store.core.buckets import BUCKET_COLUMNS
from trialbook.store.core.transaction import Transaction
from trialbook.store.location import resolve_store_location
from trialbook.store.postgres.bulk import CHUNK_ROWS, binary_copy_data, copy_columns
from trialbook.store.postgres.store import PostgresStore

POINTS = "SELECT series_id, seq, step, time, value FROM metric_points ORDER BY seq"


def columns(*rows: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Rows as the whole columns a bulk insert takes."""
    return list(zip(*rows, strict=True))


@pytest.fixture
def database(postgres_url: str) -> Iterator[PostgresStore]:
    store = PostgresStore(resolve_store_location(postgres_url))
    store.write(_make_series)
    yield store
    store.close()


def _make_series(tx: Transaction) -> None:
    tx.execute(
        "INSERT INTO components (name, creation_time, last_modified_time, last_activity)"
        " VALUES ('c', 0, 0, 0)"
    )
    tx.execute("INSERT INTO metric_series (component_id, name) VALUES (1, 'm')")


def _bucket(bucket: int, *, low: float | None, nan_at: int | None) -> list[object]:
    """A metric_buckets row (level 0): its min/max are NULL when ``low`` is, its first NaN
    NULL when ``nan_at`` is."""
    extremes = [None] * 8 if low is None else [bucket, 1, 2.0, low, bucket, 1, 2.0, low + 1]
    nan = [None] * 3 if nan_at is None else [nan_at, nan_at, 3.5]
    return [1, 0, bucket, 2, 0, 0, 1.0, 0.5, 1, 1, 2.0, None, *extremes, *nan]


def test_rows_with_different_null_fields_are_copied_exactly(database: PostgresStore) -> None:
    rows = [
        _bucket(0, low=-1.5, nan_at=None),
        _bucket(1, low=None, nan_at=17),
        _bucket(2, low=2.25, nan_at=33),
        _bucket(3, low=None, nan_at=None),
        _bucket(4, low=-math.inf, nan_at=None),
    ]
    assert all(len(row) == BUCKET_COLUMNS for row in rows)

    def body(tx: Transaction) -> list[tuple[object, ...]]:
        raw = tx.connection.open()
        copy_columns(raw, "metric_buckets", columns(*rows))
        return raw.execute("SELECT * FROM metric_buckets ORDER BY bucket").fetchall()

    assert database.write(body) == [tuple(row) for row in rows]


def test_rows_of_several_pieces_are_copied_exactly(database: PostgresStore) -> None:
    """A COPY is packed and sent a piece at a time; a NaN value only in a later piece (a
    NULL pattern the first piece does not have) still comes back as NULL."""
    size = 2 * CHUNK_ROWS + 3
    rows = [(1, seq, seq * 2, 100.0 + seq, float(seq)) for seq in range(size)]
    rows[CHUNK_ROWS + 5] = (1, CHUNK_ROWS + 5, 7, 1.0, math.nan)
    database.write(lambda tx: tx.bulk_insert("metric_points", columns(*rows)))
    expected = [row if row[4] == row[4] else (*row[:4], None) for row in rows]
    assert database.read(lambda tx: tx.execute(POINTS).fetchall()) == expected


def test_a_value_refused_in_a_later_piece_leaves_nothing(database: PostgresStore) -> None:
    """The first pieces are already sent when a later one is refused: the COPY is cancelled
    and the write fails with the point's error, and the connection writes again at once."""
    rows = [(1, seq, seq, 1.0, 0.5) for seq in range(CHUNK_ROWS + 1)]
    rows[-1] = (1, CHUNK_ROWS, 2**63, 1.0, 0.5)  # a step beyond 64 bits in the second piece

    with pytest.raises(OverflowError):
        database.write(lambda tx: tx.bulk_insert("metric_points", columns(*rows)))
    database.write(lambda tx: tx.bulk_insert("metric_points", columns((1, 0, 0, 1.0, 0.5))))
    assert database.read(lambda tx: tx.execute(POINTS).fetchall()) == [(1, 0, 0, 1.0, 0.5)]


def test_a_nan_time_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match=r"metric_points\.time cannot be NaN"):
        binary_copy_data("metric_points", columns((1, 0, 0, math.nan, 1.0)))


def test_a_value_beyond_64_bits_is_refused() -> None:
    with pytest.raises(OverflowError):
        binary_copy_data("metric_points", columns((1, 0, 2**63, 1.0, 1.0)))


def test_a_write_failing_after_its_bulk_insert_leaves_nothing(database: PostgresStore) -> None:
    """The COPY is still open when the body fails: the rollback cancels it, and the thread's
    connection writes again at once."""

    def failing(tx: Transaction) -> None:
        tx.bulk_insert("metric_points", columns((1, 0, 0, 1.0, 0.5), (1, 1, 1, 2.0, 0.25)))
        raise RuntimeError("the body failed")

    with pytest.raises(RuntimeError, match="the body failed"):
        database.write(failing)

    def succeeding(tx: Transaction) -> list[tuple[object, ...]]:
        tx.bulk_insert("metric_points", columns((1, 0, 0, 1.0, 0.5)))
        return tx.execute(POINTS).fetchall()  # the next statement finishes the COPY

    assert database.write(succeeding) == [(1, 0, 0, 1.0, 0.5)]
    assert database.read(lambda tx: tx.execute(POINTS).fetchall()) == [(1, 0, 0, 1.0, 0.5)]


def test_the_servers_error_for_an_open_copy_fails_its_own_write(database: PostgresStore) -> None:
    database.write(lambda tx: tx.bulk_insert("metric_points", columns((1, 0, 0, 1.0, 0.5))))

    def duplicate(tx: Transaction) -> None:
        tx.bulk_insert("metric_points", columns((1, 1, 1, 2.0, 0.25), (1, 0, 9, 9.0, 9.0)))
        tx.execute("SELECT 1")

    with pytest.raises(psycopg.errors.UniqueViolation):
        database.write(duplicate)
    assert database.read(lambda tx: tx.execute(POINTS).fetchall()) == [(1, 0, 0, 1.0, 0.5)]


def test_a_failing_statement_in_a_pipelined_batch_fails_its_write(database: PostgresStore) -> None:
    """``execute_all`` sends its statements in one pipeline: a failure among them (here the
    second of two identical series) still fails the write, and nothing of it is kept."""
    insert = "INSERT INTO metric_series (component_id, name) VALUES (?, ?)"
    update = "UPDATE components SET last_activity = ? WHERE id = ?"

    def batch(tx: Transaction) -> None:
        tx.execute_all([(update, [(5.0, 1)]), (insert, [(1, "n"), (1, "n")])])

    with pytest.raises(psycopg.errors.UniqueViolation):
        database.write(batch)

    def read(tx: Transaction) -> tuple[object, ...]:
        return (
            tx.execute("SELECT count(*) FROM metric_series").fetchone()[0],
            tx.execute("SELECT last_activity FROM components WHERE id = 1").fetchone()[0],
        )

    assert database.read(read) == (1, 0)
    database.write(lambda tx: tx.execute_all([(insert, [(1, "n")]), (update, [(5.0, 1)])]))
    assert database.read(read) == (2, 5.0)
