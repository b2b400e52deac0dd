"""A filtered or sorted trial table pages through the ordered ids of its matches, cached per
query until the store's next write (``table_matches.py``): every page must be what an
uncached read gives, a write between two reads must show in the second, and what moves with
the clock (a stale heartbeat reads Interrupted) must never be served from the cache."""

from __future__ import annotations

import itertools
import time

import pytest

import trialbook as tb
from trialbook.store import TrialQuery, open_store
from trialbook.store.core import table_matches

QUERY = "width >= 2 and metrics.loss < 0.9"


def names(query: TrialQuery, experiment: str = "e") -> tuple[int, list[str]]:
    table = open_store().trial_table(experiment, query)
    return table.total, [row["name"] for row in table.rows]


def fresh(query: TrialQuery) -> tuple[int, list[str]]:
    table_matches.clear()
    return names(query)


@pytest.fixture
def experiment() -> tb.Experiment:
    e = tb.Experiment.create("e", description="paging")
    for index in range(12):
        with e.run(variables={"i": index}) as tracker:
            tracker.log_parameter("width", index % 4)
            tracker.log_metric("loss", (index * 7 % 12) / 10)
    tb.flush()
    return e


def test_pages_of_a_cached_query_are_those_of_a_fresh_read(experiment: tb.Experiment) -> None:
    for text, sort, descending in itertools.product(
        (QUERY, None), (None, "metrics.loss.last", "parameters.width"), (False, True)
    ):
        whole = fresh(TrialQuery(query=text, sort=sort, descending=descending))
        assert whole[0] == len(whole[1]) > 3
        for offset in range(0, whole[0] + 2, 2):
            paged = TrialQuery(query=text, sort=sort, descending=descending, offset=offset, limit=2)
            cached = names(paged)
            assert cached == fresh(paged)
            assert cached == (whole[0], whole[1][offset : offset + 2])


def test_a_new_query_under_a_sort_and_a_new_sort_of_a_query(experiment: tb.Experiment) -> None:
    """The lists one query leaves (every trial sorted; a filter's matches) serve the next:
    what they give must be what a fresh read gives."""
    expected = {}
    for sort in ("metrics.loss.last", "parameters.width", "name"):
        for descending in (False, True):
            query = TrialQuery(query=QUERY, sort=sort, descending=descending, offset=1, limit=4)
            expected[sort, descending] = fresh(query)
    for (sort, descending), result in expected.items():
        table_matches.clear()
        # A page beyond the first lists every trial in that order: it is at hand.
        names(TrialQuery(sort=sort, descending=descending, offset=1, limit=1))
        query = TrialQuery(query=QUERY, sort=sort, descending=descending, offset=1, limit=4)
        assert names(query) == result
    table_matches.clear()
    names(TrialQuery(query=QUERY, offset=1, limit=1))  # the matches are at hand
    for (sort, descending), result in expected.items():
        query = TrialQuery(query=QUERY, sort=sort, descending=descending, offset=1, limit=4)
        assert names(query) == result


def test_a_write_between_two_reads_is_seen(experiment: tb.Experiment) -> None:
    sorted_query = TrialQuery(query=QUERY, sort="metrics.loss.last", limit=3)
    total, first = names(sorted_query)
    assert names(sorted_query) == (total, first)  # served from the cache
    with experiment.run(variables={"i": 100}) as tracker:  # a new best trial matches
        tracker.log_parameter("width", 3)
        tracker.log_metric("loss", -1.0)
    tb.flush()
    newest = experiment.list_trials()[-1].trial_name
    assert names(sorted_query) == (total + 1, [newest, *first[:2]])
    # A new point moves an existing trial's last value (no new trial): the order follows.
    store = open_store()
    component = f"{first[0]}-training"
    store.append_metric_points({(component, "loss"): [(99, time.time(), 0.85)]})
    assert names(sorted_query)[1] == [newest, *first[1:3]]
    assert names(sorted_query) == fresh(sorted_query)


def test_a_status_that_moves_with_the_clock_is_never_cached(
    experiment: tb.Experiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_STALE_SECONDS", "1")
    store = open_store()
    store.create_trial("running", experiment_name="e", variables=None, identity=None, tags={})
    store.create_component(
        "attempt",
        display_name=None,
        kind=None,
        tags={},
        provenance=None,
        status="InProgress",
        start_time=time.time(),
    )
    store.associate("running", "attempt")
    for query in (
        TrialQuery(query="status == 'InProgress'", sort="name"),
        TrialQuery(statuses=["InProgress"], sort="name"),
        TrialQuery(query="name == 'running'", sort="status"),
    ):
        assert names(query)[1] == ["running"]
    time.sleep(1.5)  # no write: the heartbeat goes stale, the trial reads Interrupted
    assert names(TrialQuery(query="status == 'InProgress'", sort="name")) == (0, [])
    assert names(TrialQuery(statuses=["InProgress"], sort="name")) == (0, [])
    assert names(TrialQuery(statuses=["Interrupted"], sort="name")) == (1, ["running"])
    table = open_store().trial_table("e", TrialQuery(query="name == 'running'", sort="status"))
    assert table.rows[0]["status"] == "Interrupted"


def test_the_cache_is_bounded() -> None:
    e = tb.Experiment.create("e", description="bounded")
    with e.run(variables={"i": 0}) as tracker:
        tracker.log_parameter("width", 1)
    table_matches.clear()
    for bound in range(20):
        names(TrialQuery(query=f"width < {bound}", sort="name"))
    assert len(table_matches._entries) == table_matches._MAX_ENTRIES


def test_a_sorts_first_page_comes_before_its_whole_order(experiment: tb.Experiment) -> None:
    """With no order at hand, a sort's first page is read with LIMIT and the whole order is
    listed on the worker afterwards: the page is the list's head, the list is kept, and the
    pages after it are slices of it."""
    store = open_store()
    for descending in (False, True):
        table_matches.clear()
        first = names(TrialQuery(sort="metrics.loss.last", descending=descending, limit=5))
        table_matches.wait_for_store(store.key)
        kept = [ids for _, ids in table_matches._entries.values()]
        assert len(kept) == 1 and len(kept[0]) == 12  # the whole order, listed by the worker
        whole = names(TrialQuery(sort="metrics.loss.last", descending=descending))
        assert first == (12, whole[1][:5])
        tail = names(TrialQuery(sort="metrics.loss.last", descending=descending, offset=5))
        assert tail == (12, whole[1][5:])
