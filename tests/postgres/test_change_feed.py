"""PostgreSQL's change feed: one NOTIFY per write carrying the latest cursor, heard by one
listener connection; cursors become visible in commit order."""

from __future__ import annotations

import queue
import threading

import psycopg
import pytest

import trialbook as tb
from trialbook.store import open_store
from trialbook.store.postgres import notify
from trialbook.store.postgres.url import parse_postgres_url


@pytest.fixture
def store(postgres_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRIALBOOK_STORE", postgres_url)
    return open_store()


def _listen(url: str) -> psycopg.Connection:
    parsed = parse_postgres_url(url)
    connection = psycopg.connect(parsed.conninfo, autocommit=True)
    connection.execute(f'LISTEN "{notify.channel(parsed.schema)}"')
    return connection


def test_one_notification_per_write_carries_its_latest_cursor(postgres_url: str, store) -> None:
    listener = _listen(postgres_url)
    exp = tb.Experiment.create("e", hypothesis="h")
    with exp.run(variables={"lr": 0.1}) as tracker:  # several changes in some transactions
        tracker.log_metric("loss", 1.0)
    tb.flush()
    heard = [int(n.payload) for n in listener.notifies(timeout=1.0)]
    changes = store.changes_since(0)
    per_transaction_last = sorted({change.seq for change in changes} & set(heard))
    assert heard == sorted(heard) and len(heard) == len(set(heard))
    assert heard[-1] == store.latest_change_cursor()
    assert per_transaction_last == heard  # every notified cursor is a real change
    listener.close()


def test_a_write_with_many_changes_notifies_once(postgres_url: str, store) -> None:
    tb.Experiment.create("e", hypothesis="h")
    listener = _listen(postgres_url)
    before = store.latest_change_cursor()
    # deleting an experiment with its trials writes several change rows in one transaction
    exp = tb.Experiment.load("e")
    for index in range(3):
        exp.create_trial(f"t{index}")
    list(listener.notifies(timeout=0.5))  # drain the creations
    before = store.latest_change_cursor()
    exp.delete_all(action="--force")
    heard = [int(n.payload) for n in listener.notifies(timeout=1.0)]
    written = store.changes_since(before)
    assert len(written) >= 4
    assert heard == [written[-1].seq]
    listener.close()


def test_the_store_listener_wakes_on_writes_from_other_connections(store) -> None:
    woken: queue.Queue[int | None] = queue.Queue()
    assert store.watch_changes(woken.put) is True
    assert woken.get(timeout=10) is None  # connected: "re-read, you may have missed some"
    tb.Experiment.create("from-here", hypothesis="h")
    assert woken.get(timeout=10) == store.latest_change_cursor()


def test_cursors_become_visible_in_commit_order(store) -> None:
    """Concurrent writers never let a reader pass a cursor that a slower transaction fills
    in later: every change a reader ever sees is above the cursor it had."""
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def follow() -> None:
        cursor = 0
        while not stop.is_set() or cursor < store.latest_change_cursor():
            for change in store.changes_since(cursor):
                if change.seq != cursor + 1 and seen:
                    errors.append(AssertionError(f"gap after {cursor}: {change.seq}"))
                cursor = change.seq
                seen.append(cursor)

    def write(index: int) -> None:
        try:
            for step in range(15):
                tb.TrialComponent.create(f"c{index}-{step}")
        except BaseException as error:
            errors.append(error)

    reader = threading.Thread(target=follow)
    reader.start()
    writers = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join(30)
    assert errors == []
    assert len(seen) == 60 and seen == sorted(seen)
