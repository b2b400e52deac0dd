"""Experiment listings read tallies kept at write time; they must equal a recount from the
trials' derived statuses after every kind of write (and after the migration's backfill)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from trialbook.status import ALL_STATUSES, experiment_status
from trialbook.store import open_store
from trialbook.store.sqlite.schema import MIGRATIONS


def recount(experiment: str) -> tuple[int, dict[str, int], str | None]:
    """What a listing must say, from every trial's derived status (the old per-call way)."""
    trials = open_store().list_trials(experiment_name=experiment)
    counts = dict.fromkeys(ALL_STATUSES, 0)
    for trial in trials:
        if trial.status is not None:
            counts[trial.status] += 1
    return len(trials), counts, experiment_status((t.status, t.last_activity) for t in trials)


def listed(experiment: str) -> tuple[int, dict[str, int], str | None]:
    (summary,) = open_store().list_experiment_summaries([experiment])
    return summary["trial_count"], summary["status_counts"], summary["status"]


def component(name: str, status: str | None = "InProgress") -> str:
    open_store().create_component(
        name,
        display_name=None,
        kind=None,
        tags={},
        provenance=None,
        status=status,
        start_time=time.time(),
    )
    return name


def trial(name: str, experiment: str = "e") -> str:
    open_store().create_trial(
        name, experiment_name=experiment, variables=None, identity=None, tags={}
    )
    return name


def test_tallies_follow_every_write(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store()
    for name in ("e", "other"):
        store.create_experiment(
            name, description="d", hypothesis=None, objective=None, variables=None, tags={}
        )

    def check(expected_count: int) -> None:
        assert listed("e") == recount("e")
        assert listed("other") == recount("other")
        assert listed("e")[0] == expected_count

    check(0)
    trial("t1"), trial("t2"), trial("t3"), trial("o1", "other")
    check(3)
    store.associate("t1", component("c1"))
    store.associate("t2", component("c2"))
    store.associate("o1", component("oc"))
    check(3)
    assert listed("e")[1]["InProgress"] == 2 and listed("e")[2] == "InProgress"
    store.update_component("c1", status="Completed", end_time=time.time())
    store.update_component("c2", status="Failed", end_time=time.time())
    check(3)
    assert listed("e")[1]["Completed"] == 1 and listed("e")[1]["Failed"] == 1
    # a second, later attempt decides the trial's status; a shared component counts in both
    store.associate("t2", component("c2b"))
    store.associate("t3", "c2b")
    check(3)
    store.update_component("c2b", status="Stopped")
    check(3)
    store.disassociate("t2", "c2b")
    check(3)
    assert listed("e")[1]["Failed"] == 1
    store.delete_component("c2b", force_disassociate=True)
    check(3)
    store.update_component("c1", status="InProgress")
    check(3)
    # a stale heartbeat reads Interrupted in the counts and in the experiment's status
    monkeypatch.setenv("TRIALBOOK_STALE_SECONDS", "0.05")
    time.sleep(0.1)
    check(3)
    assert listed("e")[1]["Interrupted"] == 1 and listed("e")[1]["InProgress"] == 0
    assert listed("other")[2] == "Interrupted"
    monkeypatch.setenv("TRIALBOOK_STALE_SECONDS", "30")
    store.delete_trial("t1", force=True)
    check(2)
    store.delete_trial("t3")
    check(1)
    store.delete_experiment("other", force=True)
    assert [s["name"] for s in store.list_experiment_summaries()] == ["e"]


@pytest.mark.sqlite_only
def test_migration_backfills_the_tallies(store_path: Path) -> None:
    """A version-1 store's trials are counted when it is opened by this version."""
    store_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(store_path, isolation_level=None)
    connection.executescript(MIGRATIONS[0])
    connection.execute("PRAGMA user_version = 1")
    connection.execute(
        "INSERT INTO experiments VALUES (1, 'old', 'd', NULL, NULL, NULL, '{}', NULL, 0, 0, 0)"
    )
    statuses = ["Completed", "Completed", "Failed", None, "InProgress"]
    for index, status in enumerate(statuses, start=1):
        connection.execute(
            "INSERT INTO trials (id, name, experiment_id, tags, creation_time,"
            " last_modified_time, last_activity) VALUES (?, ?, 1, '{}', 0, 0, ?)",
            (index, f"t{index}", index),
        )
        if status is not None:
            connection.execute(
                "INSERT INTO components (id, name, status, start_time, creation_time,"
                " last_modified_time, last_activity, heartbeat_time, tags)"
                " VALUES (?, ?, ?, 0, 0, 0, 0, ?, '{}')",
                (index, f"c{index}", status, time.time()),
            )
            connection.execute("INSERT INTO trial_components VALUES (?, ?, 0)", (index, index))
    connection.close()
    assert listed("old") == recount("old")
    assert listed("old")[:2] == (
        5,
        {"InProgress": 1, "Completed": 2, "Failed": 1, "Stopped": 0, "Interrupted": 0},
    )
