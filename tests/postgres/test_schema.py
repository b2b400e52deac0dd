"""The schema: its own PostgreSQL schema and version table, set up once, upgraded explicitly."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from urllib.parse import urlparse

import psycopg
import pytest

from trialbook.errors import StoreVersionError, TrialbookError
from trialbook.store.core.transaction import Transaction
from trialbook.store.location import resolve_store_location
from trialbook.store.postgres import schema
from trialbook.store.postgres.bulk import copy_rows
from trialbook.store.postgres.store import PostgresStore
from trialbook.store.postgres.url import parse_postgres_url


def _open_store(url: str) -> PostgresStore:
    return PostgresStore(resolve_store_location(url))


def upgrade_database(url: str) -> tuple[int, int]:
    return schema.upgrade_database(parse_postgres_url(url))


def _server(url: str) -> str:
    return urlparse(url)._replace(query="").geturl()


def _tables(connection: psycopg.Connection, namespace: str) -> set[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s", (namespace,)
    ).fetchall()
    return {name for (name,) in rows}


def test_an_empty_database_is_set_up_in_its_own_schema(postgres_url: str) -> None:
    _open_store(postgres_url).close()
    namespace = parse_postgres_url(postgres_url).schema
    with psycopg.connect(_server(postgres_url)) as connection:
        assert _tables(connection, namespace) == {*schema.TABLES, "schema_version"}
        version = connection.execute(f'SELECT version FROM "{namespace}".schema_version')
        assert version.fetchone() == (schema.SCHEMA_VERSION,)


def test_mlflow_and_optuna_tables_in_the_same_database_are_untouched(postgres_url: str) -> None:
    peers = ("alembic_version", "experiments", "trials", "studies", "version_info")
    with psycopg.connect(_server(postgres_url), autocommit=True) as connection:
        for table in peers:
            connection.execute(f"CREATE TABLE public.{table} (id INT PRIMARY KEY, x TEXT)")
            connection.execute(f"INSERT INTO public.{table} VALUES (1, 'mlflow or optuna')")
    try:
        database = _open_store(postgres_url)
        database.write(
            lambda tx: tx.execute(
                "INSERT INTO experiments (name, creation_time,"
                " last_modified_time, last_activity)"
                " VALUES ('mine', 0, 0, 0)"
            )
        )
        database.close()
        assert upgrade_database(postgres_url) == (schema.SCHEMA_VERSION, schema.SCHEMA_VERSION)
        namespace = parse_postgres_url(postgres_url).schema
        with psycopg.connect(_server(postgres_url)) as connection:
            for table in peers:
                rows = connection.execute(f"SELECT * FROM public.{table}").fetchall()
                assert rows == [(1, "mlflow or optuna")]
            mine = connection.execute(f'SELECT name FROM "{namespace}".experiments')
            assert mine.fetchall() == [("mine",)]
    finally:
        with psycopg.connect(_server(postgres_url), autocommit=True) as connection:
            for table in peers:
                connection.execute(f"DROP TABLE public.{table}")


def test_a_public_alembic_version_is_never_touched(postgres_url: str) -> None:
    with psycopg.connect(_server(postgres_url), autocommit=True) as connection:
        before = _tables(connection, "public")
        _open_store(postgres_url).close()
        assert _tables(connection, "public") == before


def test_parallel_first_opens_set_up_the_schema_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            _open_store(postgres_url).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_newer_schema_is_refused_naming_the_environment_to_upgrade(postgres_url: str) -> None:
    _open_store(postgres_url).close()
    namespace = parse_postgres_url(postgres_url).schema
    with psycopg.connect(_server(postgres_url), autocommit=True) as connection:
        connection.execute(f'UPDATE "{namespace}".schema_version SET version = 99')
    with pytest.raises(StoreVersionError, match="pip install -U") as caught:
        _open_store(postgres_url)
    assert sys.prefix in str(caught.value)


def test_an_older_schema_is_refused_until_db_upgrade_runs(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open_store(postgres_url).close()
    # This library grows a version N + 1; the database is still at N.
    now, later = schema.SCHEMA_VERSION, schema.SCHEMA_VERSION + 1
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, "CREATE TABLE probe (x INT)"))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", later)
    with pytest.raises(StoreVersionError, match="-m trialbook db upgrade") as caught:
        _open_store(postgres_url)
    assert f"schema version {now}; this Trialbook needs {later}" in str(caught.value)
    assert upgrade_database(postgres_url) == (now, later)
    assert upgrade_database(postgres_url) == (later, later)
    _open_store(postgres_url).close()


def test_a_failed_migration_leaves_nothing_behind(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open_store(postgres_url).close()
    bad = "CREATE TABLE probe (x INT); CREATE TABLE probe (x INT)"
    now = schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, bad))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", now + 1)
    with pytest.raises(psycopg.errors.DuplicateTable):
        upgrade_database(postgres_url)
    namespace = parse_postgres_url(postgres_url).schema
    with psycopg.connect(_server(postgres_url)) as connection:
        assert "probe" not in _tables(connection, namespace)
        version = connection.execute(f'SELECT version FROM "{namespace}".schema_version')
        assert version.fetchone() == (now,)


def test_a_foreign_schema_of_the_same_name_is_refused(postgres_url: str) -> None:
    namespace = parse_postgres_url(postgres_url).schema
    with psycopg.connect(_server(postgres_url), autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{namespace}"')
        connection.execute(f'CREATE TABLE "{namespace}".runs (id INT)')
    with pytest.raises(TrialbookError, match="did not create"):
        _open_store(postgres_url)


def test_db_upgrade_command(postgres_url: str) -> None:
    environment = {**os.environ, "TRIALBOOK_STORE": postgres_url}
    done = subprocess.run(
        [sys.executable, "-m", "trialbook", "db", "upgrade"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"Schema 0 → {schema.SCHEMA_VERSION}" in done.stdout
    again = subprocess.run(
        [sys.executable, "-m", "trialbook", "db", "status"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"Schema version {schema.SCHEMA_VERSION} (this Trialbook: {schema.SCHEMA_VERSION})" in (
        again.stdout
    )
    assert "Up to date." in again.stdout


def test_values_keep_nan_as_null_and_infinities_natively(postgres_url: str) -> None:
    database = _open_store(postgres_url)

    def body(tx: Transaction) -> list[tuple[float | None, ...]]:
        connection = tx.connection.open()
        connection.execute(
            "INSERT INTO experiments (name, creation_time, last_modified_time, last_activity)"
            " VALUES ('e', 0, 0, 0)"
        )
        connection.execute(
            "INSERT INTO components (name, creation_time, last_modified_time, last_activity)"
            " VALUES ('c', 0, 0, 0)"
        )
        connection.execute("INSERT INTO metric_series (component_id, name) VALUES (1, 'm')")
        rows = [(1, 0, 0, 1.0, math.inf), (1, 1, 1, 2.0, -math.inf), (1, 2, 2, 3.0, None)]
        copy_rows(connection, "metric_points", rows)
        return (
            connection.execute("SELECT value FROM metric_points ORDER BY seq").fetchall()
            + connection.execute(
                "SELECT min(value), max(value), count(*) FROM metric_points"
            ).fetchall()
        )

    values = database.write(body)
    assert values[:3] == [(math.inf,), (-math.inf,), (None,)]
    assert values[3] == (-math.inf, math.inf, 3)
    database.close()


def test_a_variable_set_is_unique_per_experiment(postgres_url: str) -> None:
    database = _open_store(postgres_url)

    def insert(tx: Transaction, name: str, experiment: int) -> None:
        connection = tx.connection.open()
        connection.execute(
            "INSERT INTO trials (name, experiment_id, identity, creation_time,"
            " last_modified_time, last_activity) VALUES (%s, %s, '{\"lr\":0.1}', 0, 0, 0)",
            (name, experiment),
        )

    def setup(tx: Transaction) -> None:
        connection = tx.connection.open()
        for name in ("a", "b"):
            connection.execute(
                "INSERT INTO experiments (name, creation_time, last_modified_time,"
                " last_activity) VALUES (%s, 0, 0, 0)",
                (name,),
            )
        insert(tx, "t1", 1)
        insert(tx, "t2", 2)  # the same set in another experiment is fine

    database.write(setup)
    with pytest.raises(psycopg.errors.UniqueViolation, match="trials_identity"):
        database.write(lambda tx: insert(tx, "t3", 1))
    database.close()


def test_deleting_logged_metrics_removes_their_points_and_buckets(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trialbook as tb
    from trialbook.store import open_store

    monkeypatch.setenv("TRIALBOOK_STORE", postgres_url)
    exp = tb.Experiment.create("e", hypothesis="h")
    for lr in (0.1, 0.2):
        with exp.run(variables={"lr": lr}) as tracker:
            for step in range(500):
                tracker.log_metric("loss", float(step))
    tb.TrialComponent.create("kept")
    with tb.Tracker.load("kept") as kept:
        kept.log_metric("m", 1.0)
    tb.flush()

    def counts(tx: Transaction) -> tuple[int, int, int]:
        orphans = " WHERE series_id NOT IN (SELECT id FROM metric_series)"
        return (
            tx.scalar("SELECT count(*) FROM metric_points"),
            tx.scalar("SELECT count(*) FROM metric_buckets"),
            tx.scalar(
                f"SELECT (SELECT count(*) FROM metric_points{orphans})"
                f" + (SELECT count(*) FROM metric_buckets{orphans})"
            ),
        )

    points, buckets, _ = open_store().read(counts)
    assert points == 1001 and buckets > 0
    exp.delete_all(action="--force")
    assert open_store().read(counts) == (1, 0, 0)  # only "kept"'s one point (no bucket yet)


def test_copy_columns_writes_exactly_the_rows_given(postgres_url: str) -> None:
    from trialbook.store.postgres.bulk import copy_columns

    database = _open_store(postgres_url)
    rows = [
        (1, 0, 0, 1.5, 0.25),
        (1, 1, 7, 2.5, None),
        (1, 2, -3, 3.5, math.inf),
        (1, 3, 2**62, -1e300, -math.inf),
    ]

    def body(tx: Transaction) -> list[tuple[object, ...]]:
        connection = tx.connection.open()
        connection.execute(
            "INSERT INTO components (name, creation_time, last_modified_time, last_activity)"
            " VALUES ('c', 0, 0, 0)"
        )
        connection.execute("INSERT INTO metric_series (component_id, name) VALUES (1, 'm')")
        copy_columns(connection, "metric_points", list(zip(*rows[:1], strict=True)))
        copy_columns(connection, "metric_points", list(zip(*rows[1:], strict=True)))
        return connection.execute(
            "SELECT series_id, seq, step, time, value FROM metric_points ORDER BY seq"
        ).fetchall()

    assert database.write(body) == rows
    database.close()


def test_upgrading_from_schema_1_backfills_sole_components(postgres_url: str) -> None:
    """Schema 2 adds ``trials.sole_component`` (core/sole_components.py) and fills it in."""
    store = _open_store(postgres_url)
    store.create_experiment(
        "e", description="d", hypothesis=None, objective=None, variables=None, tags={}
    )
    for name in ("t1", "t2"):
        store.create_trial(name, experiment_name="e", variables=None, identity=None, tags={})
        store.create_component(f"{name}-c", display_name=None, kind=None, tags={}, provenance=None)
        store.associate(name, f"{name}-c")
    store.associate("t2", "t1-c")  # t2 has two components; t1's is shared: neither has one
    store.create_trial("t3", experiment_name="e", variables=None, identity=None, tags={})
    store.create_component("t3-c", display_name=None, kind=None, tags={}, provenance=None)
    store.associate("t3", "t3-c")
    store.close()
    namespace = parse_postgres_url(postgres_url).schema
    with psycopg.connect(_server(postgres_url)) as connection:  # back to what schema 1 had
        connection.execute(f'SET search_path TO "{namespace}"')
        for index in ("trials_sole_component", "parameters_lookup", "metric_series_lookup"):
            connection.execute(f"DROP INDEX {index}")
        connection.execute("ALTER TABLE trials DROP COLUMN sole_component")
        connection.execute("DROP TABLE experiment_columns")  # schema 3
        connection.execute("UPDATE schema_version SET version = 1")
    assert upgrade_database(postgres_url) == (1, schema.SCHEMA_VERSION)
    with psycopg.connect(_server(postgres_url)) as connection:
        rows = connection.execute(
            f'SELECT t.name, c.name FROM "{namespace}".trials t'
            f' LEFT JOIN "{namespace}".components c ON c.id = t.sole_component ORDER BY t.name'
        ).fetchall()
    assert rows == [("t1", None), ("t2", None), ("t3", "t3-c")]
