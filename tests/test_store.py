from __future__ import annotations

import math
import sqlite3
import statistics
from pathlib import Path

import pytest

import trialbook as tb
from trialbook.errors import StoreVersionError, TrialbookError
from trialbook.store import open_store, reset_store_cache, resolve_store_location
from trialbook.store.sqlite import filesystem as sqlite_store
from trialbook.store.sqlite.schema import SCHEMA_VERSION


def test_location_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIALBOOK_STORE", str(tmp_path / "x.db"))
    location = resolve_store_location()
    assert location.kind == "sqlite" and location.path == tmp_path / "x.db"
    assert location.artifact_root == tmp_path / "artifacts"
    monkeypatch.setenv("TRIALBOOK_STORE", f"sqlite:///{tmp_path}/y.db")
    assert resolve_store_location().path == tmp_path / "y.db"
    monkeypatch.setenv("TRIALBOOK_ARTIFACT_ROOT", str(tmp_path / "files"))
    assert resolve_store_location().artifact_root == tmp_path / "files"
    monkeypatch.setenv("TRIALBOOK_STORE", "postgresql://u:secret@h/db")
    location = resolve_store_location()
    assert location.kind == "postgresql" and "secret" not in location.describe()
    monkeypatch.setenv("TRIALBOOK_STORE", "mysql://h/db")
    with pytest.raises(tb.ValidationError):
        resolve_store_location()
    monkeypatch.delenv("TRIALBOOK_STORE")
    monkeypatch.delenv("TRIALBOOK_ARTIFACT_ROOT")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jd"))
    location = resolve_store_location()
    assert location.path == tmp_path / "jd" / "trialbook" / "trialbook.db"
    assert location.artifact_root == tmp_path / "jd" / "trialbook" / "artifacts"


@pytest.mark.sqlite_only
def test_sqlite_settings_and_schema_version(store_path: Path) -> None:
    open_store()
    connection = sqlite3.connect(store_path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.sqlite_only
def test_a_newer_store_is_refused_naming_the_environment(store_path: Path) -> None:
    import sys

    open_store()
    reset_store_cache()
    connection = sqlite3.connect(store_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    with pytest.raises(StoreVersionError) as error:
        open_store()
    message = str(error.value)
    assert "newer Trialbook" in message and sys.prefix in message
    assert f"schema {SCHEMA_VERSION + 1}" in message


@pytest.mark.sqlite_only
def test_network_filesystems_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert sqlite_store.filesystem_type(tmp_path) not in sqlite_store.NETWORK_FILESYSTEMS
    monkeypatch.setattr(sqlite_store, "filesystem_type", lambda path: "nfs4")
    reset_store_cache()
    with pytest.raises(TrialbookError, match="network filesystem"):
        open_store()


def test_summaries_skip_nan_include_inf_population_stddev_and_last() -> None:
    tracker = tb.Tracker.create("t")
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    for step, value in enumerate(values):
        tracker.log_metric("m", value, step=step)
        if step == 3:
            tb.flush()  # summaries merge across batches
    tracker.log_metric("m", float("nan"), step=2)
    tracker.log_metric("late", 1.0, step=5, timestamp=100.0)
    tracker.log_metric("late", 2.0, step=5, timestamp=50.0)
    tracker.log_metric("late", 3.0, step=4, timestamp=200.0)
    tb.flush()
    summaries = open_store().metric_summaries([tracker.trial_component_name])
    summary = summaries[tracker.trial_component_name]["m"]
    assert summary.count == 9 and summary.min == 1.0 and summary.max == 9.0
    assert summary.avg == pytest.approx(statistics.fmean(values))
    assert summary.stddev == pytest.approx(statistics.pstdev(values))
    assert summary.last == 6.0
    assert summaries[tracker.trial_component_name]["late"].last == 1.0  # highest step, latest time
    tracker.log_metric("n", float("nan"))
    tracker.log_metric("i", -math.inf)
    tracker.log_metric("i", 1.0)
    tb.flush()
    summaries = open_store().metric_summaries([tracker.trial_component_name])
    nan_only = summaries[tracker.trial_component_name]["n"]
    assert nan_only.count == 1 and nan_only.min is None and math.isnan(nan_only.last)
    with_inf = summaries[tracker.trial_component_name]["i"]
    assert with_inf.min == -math.inf and with_inf.avg == -math.inf and math.isnan(with_inf.stddev)


def test_stddev_is_numerically_stable() -> None:
    tracker = tb.Tracker.create("t")
    for step in range(3000):
        tracker.log_metric("m", 1e9 + (step % 3))
        if step % 1000 == 999:
            tb.flush()
    tb.flush()
    summary = open_store().metric_summaries([tracker.trial_component_name])[
        tracker.trial_component_name
    ]["m"]
    assert summary.stddev == pytest.approx(statistics.pstdev([0, 1, 2]), rel=1e-6)


def test_bucket_downsampling_keeps_extremes_without_reading_raw_points() -> None:
    tracker = tb.Tracker.create("t")
    count = 100_000
    for step in range(count):
        value = math.sin(step / 500)
        if step == 12_345:
            value = 50.0
        if step == 77_777:
            value = -50.0
        if step == 500:
            value = float("nan")
        tracker.log_metric("m", value)
        if step % 30_000 == 0:
            tb.flush()
    tb.flush()
    store = open_store()
    (series,) = store.metric_series(
        [("component", tracker.trial_component_name, "m")], max_points=1000
    )
    assert series.downsampled and series.total_count == count
    assert 100 < len(series.values) <= 1000
    assert 50.0 in series.values and -50.0 in series.values
    assert series.steps[series.values.index(50.0)] == 12_345
    assert series.steps == sorted(series.steps)
    assert series.steps[0] == 0 and series.steps[-1] == count - 1
    (raw,) = store.metric_series(
        [("component", tracker.trial_component_name, "m")], max_points=200_000
    )
    assert not raw.downsampled and len(raw.values) == count
    assert math.isnan(raw.values[500])


def test_change_feed_records_every_write() -> None:
    store = open_store()
    assert store.latest_change_cursor() == 0 and store.oldest_change_cursor() == 0
    exp = tb.Experiment.create("e", hypothesis="H")
    cursor = store.latest_change_cursor()
    with exp.run(variables={"x": 1}) as tracker:
        tracker.log_metric("m", 1.0)
    kinds = [(c.kind, c.entity_type) for c in store.changes_since(cursor)]
    assert ("trial.created", "trial") in kinds
    assert ("parameters.logged", "component") in kinds
    assert ("metrics.appended", "component") in kinds
    assert ("component.status", "component") in kinds
    appended = next(c for c in store.changes_since(0) if c.kind == "metrics.appended")
    assert appended.experiment_name == "e" and appended.payload["metrics"] == {"m": 1}
    latest = store.latest_change_cursor()
    assert store.changes_since(latest) == []
    assert len(store.changes_since(0, limit=2)) == 2
    exp.delete_all(force=True)
    assert store.changes_since(latest)[-1].kind == "deleted"
    assert store.oldest_change_cursor() == 1


def test_server_reads() -> None:
    store = open_store()
    exp = tb.Experiment.create(
        "e", objective={"metric": "acc", "goal": "maximize"}, variables={"lr": [0.1, 0.2]}
    )
    data = tb.TrialComponent.create("data", kind="dataset")
    with exp.run(variables={"lr": 0.1}) as tracker:
        tracker.log_metric("acc", 0.7)
    trial = exp.list_trials()[0]
    trial.add_trial_component(data)
    with pytest.raises(RuntimeError), exp.run(variables={"lr": 0.2}):
        raise RuntimeError("x")
    (summary,) = store.list_experiment_summaries()
    assert summary["trial_count"] == 2
    assert summary["status_counts"] == {
        "InProgress": 0,
        "Completed": 1,
        "Failed": 1,
        "Stopped": 0,
        "Interrupted": 0,
    }
    assert summary["status"] in ("Completed", "Failed")
    assert summary["last_activity"] >= summary["creation_time"]
    rows = store.trial_rows("e")
    assert [r["variables"] for r in rows] == [{"lr": 0.1}, {"lr": 0.2}]
    assert rows[0]["metrics"]["acc"]["last"] == 0.7 and rows[0]["objective_value"] == 0.7
    assert rows[0]["parameters"] == {"lr": 0.1} and rows[0]["status"] == "Completed"
    assert "data" in rows[0]["components"]
    assert rows[0]["provenance"]["pid"] > 0 and "packages" not in rows[0]["provenance"]
    detail = store.trial_detail(trial.trial_name)
    assert {c["name"] for c in detail["components"]} == {"data", tracker.trial_component_name}
    component = store.component_detail("data")
    assert component["trials"] == [{"name": trial.trial_name, "experiment_name": "e"}]
    (series,) = store.metric_series([("trial", trial.trial_name, "acc")])
    assert series.component_name == tracker.trial_component_name and series.values == [0.7]
    assert store.metric_series([("trial", trial.trial_name, "nope")]) == []


def test_artifact_file_never_escapes_the_root() -> None:
    store = open_store()
    tracker = tb.Tracker.create("t")
    record = store.put_artifact(
        tracker.trial_component_name,
        direction="output",
        name="x",
        value="v",
        media_type=None,
        path="../../etc/passwd",
    )
    assert store.artifact_file(record) is None


@pytest.mark.sqlite_only
def test_store_stays_readable_by_plain_sqlite(store_path: Path) -> None:
    with tb.Tracker.create("t") as tracker:
        tracker.log_metric("m", 1.0)
    connection = sqlite3.connect(store_path)
    assert connection.execute("SELECT count(*) FROM metric_points").fetchone()[0] == 1
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_trial_table_filters_sorts_and_pages() -> None:
    from trialbook.store import TrialFilter, TrialQuery

    exp = tb.Experiment.create("g", hypothesis="H", variables={"lr": [0.1, 0.01], "seed": [0, 1]})
    for variables in exp.grid():
        with exp.run(variables=variables) as tracker:
            tracker.log_parameter("batch_size", 32)
            tracker.log_metric("loss", -variables["lr"] * 10 - variables["seed"])
    store = open_store()
    table = store.trial_table("g", TrialQuery())
    assert table.total == 4 and (table.variables, table.parameters, table.metrics) == (
        ["lr", "seed"],
        ["lr", "seed", "batch_size"],
        ["loss"],
    )
    query = TrialQuery(
        sort="metrics.loss.min",
        descending=True,
        filters=[TrialFilter("variables.lr", "lt", 0.05)],
        limit=1,
    )
    query.validate()
    table = store.trial_table("g", query)
    assert table.total == 2 and [r["metrics"]["loss"]["min"] for r in table.rows] == [-0.1]
    with pytest.raises(tb.ValidationError, match="min"):
        TrialQuery(sort="metrics.loss.median").validate()
    with pytest.raises(tb.ValidationError, match=r"variables\.<name>"):
        TrialQuery(sort="colour").validate()


def test_one_experiment_summary_reads_only_that_experiment() -> None:
    first = tb.Experiment.create("first", hypothesis="one")
    tb.Experiment.create("second", hypothesis="two", variables={"lr": [0.1]})
    with first.run(variables={}) as tracker:
        tracker.log_metric("loss", 1.0)

    store = open_store()
    summary = store.experiment_summary("first")
    assert summary["name"] == "first" and summary["trial_count"] == 1
    assert summary == store.list_experiment_summaries()[0]
    assert [row["name"] for row in store.list_experiment_summaries(["second"])] == ["second"]
    with pytest.raises(tb.NotFoundError, match="first"):
        store.experiment_summary("firts")
