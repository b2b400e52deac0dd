"""A trial's sole component (``trials.sole_component``) is a shortcut of the trial table's
value lookups: the table must read the same values as the general rule (the latest of the
trial's own components) after every write that links or unlinks a component, and after the
migration's backfill."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import trialbook as tb
from trialbook.store import TrialQuery, open_store
from trialbook.store.sqlite.schema import MIGRATIONS


def matching(query: str, sort: str | None = None) -> list[str]:
    table = open_store().trial_table("e", TrialQuery(query=query, sort=sort))
    return [row["name"] for row in table.rows]


def sole_components(store_rows) -> dict[str, str | None]:
    return dict(
        store_rows(
            "SELECT t.name, c.name FROM trials t LEFT JOIN components c"
            " ON c.id = t.sole_component ORDER BY t.id"
        )
    )


def test_links_and_unlinks_keep_the_values_the_table_reads(store_rows) -> None:
    experiment = tb.Experiment.create("e", description="sole components")
    for lr, loss in ((0.1, 0.9), (0.2, 0.2)):
        with experiment.run(variables={"lr": lr}) as tracker:
            tracker.log_parameter("width", 64)
            tracker.log_metric("loss", loss)
    first, second = (trial.trial_name for trial in experiment.list_trials())
    assert sole_components(store_rows) == {first: f"{first}-training", second: f"{second}-training"}
    assert matching("metrics.loss > 0.5 and width == 64") == [first]
    assert matching("width == 64", sort="metrics.loss.last") == [second, first]

    store = open_store()
    # The first trial's component joins the second trial: it is shared now, so it gives
    # neither trial metrics (parameters still count), and neither trial has a sole one.
    store.associate(second, f"{first}-training")
    assert sole_components(store_rows) == {first: None, second: None}
    assert matching("metrics.loss > 0.5") == []
    assert matching("metrics.loss < 0.5") == [second]
    assert matching("width == 64", sort="metrics.loss.last") == [second, first]

    store.disassociate(second, f"{first}-training")
    assert sole_components(store_rows) == {first: f"{first}-training", second: f"{second}-training"}
    assert matching("metrics.loss > 0.5") == [first]


def test_a_second_attempt_reads_the_latest_attempt(store_rows) -> None:
    experiment = tb.Experiment.create("e", description="reruns")
    with experiment.run(variables={"lr": 0.1}) as tracker:
        tracker.log_metric("loss", 0.9)
    with experiment.run(variables={"lr": 0.1}, rerun=True) as tracker:
        tracker.log_metric("loss", 0.1)
    (trial,) = [t.trial_name for t in experiment.list_trials()]
    assert sole_components(store_rows) == {trial: None}
    assert matching("metrics.loss < 0.5") == [trial]
    assert matching("metrics.loss > 0.5") == []


def test_deleting_a_shared_component_gives_the_trial_back_its_own(store_rows) -> None:
    experiment = tb.Experiment.create("e", description="deletion")
    with experiment.run(variables={"lr": 0.1}) as tracker:
        tracker.log_metric("loss", 0.9)
    (trial,) = [t.trial_name for t in experiment.list_trials()]
    store = open_store()
    store.create_component("prep", display_name=None, kind=None, tags={}, provenance=None)
    store.associate(trial, "prep")
    assert sole_components(store_rows) == {trial: None}
    assert matching("metrics.loss > 0.5") == [trial]
    store.delete_component("prep", force_disassociate=True)
    assert sole_components(store_rows) == {trial: f"{trial}-training"}
    assert matching("metrics.loss > 0.5") == [trial]


@pytest.mark.sqlite_only
def test_migration_backfills_sole_components(store_path: Path) -> None:
    """A version-4 store's trials get their sole component when this version opens it."""
    store_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(store_path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:4], start=1):
        connection.executescript(script)
        connection.execute(f"PRAGMA user_version = {number}")
    connection.execute(
        "INSERT INTO experiments (id, name, tags, creation_time, last_modified_time,"
        " last_activity) VALUES (1, 'e', '{}', 0, 0, 0)"
    )
    for index in (1, 2, 3):
        connection.execute(
            "INSERT INTO trials (id, name, experiment_id, tags, creation_time,"
            " last_modified_time, last_activity) VALUES (?, ?, 1, '{}', 0, 0, 0)",
            (index, f"t{index}"),
        )
        connection.execute(
            "INSERT INTO components (id, name, status, start_time, creation_time,"
            " last_modified_time, last_activity, tags) VALUES (?, ?, 'Completed', 0, 0, 0, 0,"
            " '{}')",
            (index, f"c{index}"),
        )
        connection.execute("INSERT INTO parameters VALUES (?, 'width', 'int', ?)", (index, index))
    # t1 owns c1; t2 and t3 share c2 (c3 is nobody's).
    connection.executemany(
        "INSERT INTO trial_components VALUES (?, ?, 0)", [(1, 1), (2, 2), (3, 2)]
    )
    connection.close()
    assert matching("width >= 1", sort="parameters.width") == ["t1", "t2", "t3"]
    rows = sqlite3.connect(store_path).execute("SELECT id, sole_component FROM trials")
    assert dict(rows.fetchall()) == {1: 1, 2: None, 3: None}
