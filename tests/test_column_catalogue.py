"""The trial table reads an experiment's columns from a catalogue kept at write time
(``column_catalogue.py``): after every kind of write, and after the migrations' backfill, it
must equal the catalogue computed from the rows, and the columns the table lists must be the
ones the scan it replaced gave."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

import trialbook as tb
from trialbook.store import TrialQuery, open_store, reset_store_cache
from trialbook.store.core import column_catalogue
from trialbook.store.core.transaction import Transaction
from trialbook.store.sqlite.schema import SCHEMA_VERSION

Rows = set[tuple[Any, ...]]


def catalogued(tx: Transaction) -> Rows:
    return set(
        tx.execute("SELECT experiment_id, kind, name, first_key, uses FROM experiment_columns")
    )


def scanned(tx: Transaction) -> Rows:
    return {row for sql in column_catalogue.scan_sql(tx.dialect) for row in tx.execute(sql)}


def former_columns(tx: Transaction, experiment_id: int) -> tuple[list[str], list[str], list[str]]:
    """The columns as the trial table computed them before the catalogue: a scan of the
    experiment's trials, their components' parameters and own series (ties by name)."""
    keys, key = tx.dialect.json_keys("t.variables")
    variables = [
        row[0]
        for row in tx.execute(
            f"SELECT {key} FROM trials t, {keys} WHERE t.experiment_id = ?"
            f" AND {tx.dialect.json_is_object('t.variables')} GROUP BY {key}"
            f" ORDER BY min(t.id), {key}",
            (experiment_id,),
        )
    ]
    parameters = [
        row[0]
        for row in tx.execute(
            "SELECT p.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            " JOIN parameters p ON p.component_id = tc.component_id WHERE t.experiment_id = ?"
            f" GROUP BY p.name ORDER BY min(p.{tx.dialect.parameter_order})",
            (experiment_id,),
        )
    ]
    metrics = [
        row[0]
        for row in tx.execute(
            "SELECT s.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            " JOIN metric_series s ON s.component_id = tc.component_id WHERE t.experiment_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM trial_components x"
            " WHERE x.component_id = tc.component_id AND x.trial_id != t.id)"
            " GROUP BY s.name ORDER BY min(s.id)",
            (experiment_id,),
        )
    ]
    return variables, parameters, metrics


def check(*, first_deleted: bool = False) -> None:
    """The catalogue equals the scan, and each experiment's table lists the former columns
    in the former order. Once the trial that gave a column its first key was deleted
    (``first_deleted``), the column keeps its place: then only the columns and their uses
    must be equal."""
    store = open_store()

    def body(tx: Transaction) -> tuple[Rows, Rows, dict[str, Any]]:
        experiments = tx.execute("SELECT id, name, variables FROM experiments").fetchall()
        former = {name: (declared, former_columns(tx, id_)) for id_, name, declared in experiments}
        return catalogued(tx), scanned(tx), former

    catalogue, scan, former = store.read(body)
    if first_deleted:
        catalogue = {(*row[:3], row[4]) for row in catalogue}
        scan = {(*row[:3], row[4]) for row in scan}
    assert catalogue == scan
    for name, (declared, (variables, parameters, metrics)) in former.items():
        table = store.trial_table(name, TrialQuery(query="name != 'none'", limit=1))
        listed = [table.variables if declared is None else variables, table.parameters]
        order = {key: index for index, key in enumerate(table.variables)}
        parameters.sort(key=lambda key: order.get(key, len(order)))
        expected = [variables, parameters, metrics]
        if first_deleted:
            listed = [sorted(names) for names in (*listed, table.metrics)]
            expected = [sorted(names) for names in expected]
        else:
            listed.append(table.metrics)
        assert listed == expected


def names(kind: str, experiment: str = "e") -> list[str]:
    store = open_store()

    def body(tx: Transaction) -> list[str]:
        (experiment_id,) = tx.execute(
            "SELECT id FROM experiments WHERE name = ?", (experiment,)
        ).fetchone()
        return column_catalogue.columns(tx, experiment_id)[kind]

    return store.read(body)


def component(name: str) -> str:
    open_store().create_component(
        name, display_name=None, kind=None, tags={}, provenance=None, status="Completed"
    )
    return name


def test_the_catalogue_follows_every_write() -> None:
    e = tb.Experiment.create("e", description="columns")
    other = tb.Experiment.create("other", description="columns")
    check()
    for lr, width in ((0.1, 8), (0.2, 16)):  # exp.run: variables, parameters, series
        with e.run(variables={"lr": lr, "seed": 1}) as tracker:
            tracker.log_parameter("width", width)
            tracker.log_metric("loss", lr)
    check()
    first, second = (trial.trial_name for trial in e.list_trials())
    assert names("variable") == ["lr", "seed"]
    assert names("parameter") == ["lr", "seed", "width"]
    assert names("metric") == ["loss"]
    with e.run(variables={"lr": 0.1, "seed": 1}, rerun=True) as tracker:  # a second attempt
        tracker.log_metric("acc", 0.5)
    check()

    store = open_store()
    store.create_trial("t3", experiment_name="e", variables={"depth": 3}, identity=None, tags={})
    store.associate("t3", component("c3"))
    store.set_parameters("c3", {"alpha": 1, "width": 2}, replace=False)
    store.set_parameters("c3", {"alpha": 2, "beta": 3.5}, replace=False)  # alpha known, beta new
    store.append_metric_points({("c3", "gain"): [(0, time.time(), 1.0)]})
    check()
    assert names("parameter")[-2:] == ["alpha", "beta"] and "gain" in names("metric")
    store.set_parameters("c3", {"gamma": True}, replace=True)  # alpha, beta leave
    check()
    assert "alpha" not in names("parameter") and "gamma" in names("parameter")

    # c3 joins a trial of another experiment: shared, it gives neither trial metrics, and
    # its parameters count in both experiments.
    store.create_trial("o1", experiment_name="other", variables=None, identity=None, tags={})
    store.associate("o1", "c3")
    check()
    assert "gain" not in names("metric") and names("parameter", "other") == ["gamma"]
    store.disassociate("o1", "c3")
    check()
    assert "gain" in names("metric") and names("parameter", "other") == []
    store.associate("o1", "c3")
    store.delete_component("c3", force_disassociate=True)
    check()
    assert "gamma" not in names("parameter") and "depth" in names("variable")

    before = [names(kind) for kind in ("variable", "parameter", "metric")]
    store.delete_trial(first, force=True)  # it gave lr, seed, width and loss their place
    check(first_deleted=True)
    before[2].remove("acc")  # its second attempt's metric: no other trial has it
    assert [names(kind) for kind in ("variable", "parameter", "metric")] == before
    store.delete_trial("t3", force=True)
    check(first_deleted=True)
    assert names("variable") == ["lr", "seed"]
    store.delete_trial(second, force=True)
    check(first_deleted=True)
    assert names("parameter") == names("metric") == names("variable") == []
    store.delete_experiment("e", force=True)
    check()
    assert names("parameter", "other") == []
    del other


def test_a_shared_component_deleted_with_a_trial_gives_the_other_trial_its_metrics() -> None:
    tb.Experiment.create("e", description="columns")
    store = open_store()
    for name in ("t1", "t2"):
        store.create_trial(name, experiment_name="e", variables={name: 1}, identity=None, tags={})
    store.associate("t1", component("shared"))
    store.associate("t2", "shared")
    store.append_metric_points({("shared", "loss"): [(0, time.time(), 1.0)]})
    check()
    assert names("metric") == []
    store.delete_trial("t1", force=True)  # shared is t2's own now
    check()
    assert names("metric") == ["loss"] and names("variable") == ["t2"]


def test_declared_variables_come_first_whatever_the_trials_hold() -> None:
    e = tb.Experiment.create("e", description="columns")
    with e.run(variables={"b": 1, "a": 2}) as tracker:
        tracker.log_parameter("z", 0)
    table = open_store().trial_table("e", TrialQuery(query="z == 0"))
    assert table.variables == ["a", "b"] and table.parameters == ["a", "b", "z"]
    check()


def _make_data() -> None:
    e = tb.Experiment.create("e", description="columns")
    for lr in (0.1, 0.2, 0.3):
        with e.run(variables={"lr": lr}) as tracker:
            tracker.log_parameter("width", 8)
            tracker.log_metric("loss", lr)
    store = open_store()
    store.associate(e.list_trials()[0].trial_name, component("prep"))
    store.set_parameters("prep", {"source": "s3"}, replace=False)
    reset_store_cache()


@pytest.mark.sqlite_only
def test_sqlite_migration_backfills_the_catalogue(store_path: Path) -> None:
    """A schema-5 store with trials gets its catalogue when this version opens it."""
    _make_data()
    connection = sqlite3.connect(store_path)
    connection.execute("DROP TABLE experiment_columns")
    connection.execute("PRAGMA user_version = 5")
    connection.commit()
    connection.close()
    check()
    assert names("parameter") == ["lr", "width", "source"] and names("metric") == ["loss"]
    version = sqlite3.connect(store_path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION  # 6, the catalogue's, and every one after it


@pytest.mark.postgres_only
def test_postgres_schema_2_is_refused_until_upgraded_then_backfilled(store_backend: str) -> None:
    import os

    import psycopg

    from trialbook.errors import StoreVersionError
    from trialbook.store.postgres import schema
    from trialbook.store.postgres.url import parse_postgres_url

    _make_data()
    url = parse_postgres_url(os.environ["TRIALBOOK_STORE"])
    with psycopg.connect(url.conninfo, options=f"-c search_path={url.schema}") as connection:
        connection.execute("DROP TABLE experiment_columns")
        connection.execute("UPDATE schema_version SET version = 2")
    with pytest.raises(StoreVersionError, match="-m trialbook db upgrade"):
        open_store().list_experiments()
    reset_store_cache()
    assert schema.upgrade_database(url) == (2, schema.SCHEMA_VERSION)
    check()
    assert names("parameter") == ["lr", "width", "source"] and names("metric") == ["loss"]
