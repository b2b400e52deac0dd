"""GET changes: a long-poll over the store's change feed, seeing writers in other processes."""

import asyncio
import sys
import time

import pytest

import trialbook

WRITER = """
import trialbook
exp = trialbook.Experiment.create("from-a-script", hypothesis="Scripts are seen live")
with exp.run(variables={"lr": 0.1}) as tracker:
    tracker.log_metric("loss", 0.25)
"""


async def cursor_now(api):
    response = await api("GET", "changes")
    assert response.code == 200
    assert response.body["changes"] == [] and response.body["reset"] is False
    return response.body["cursor"]


async def test_without_since_returns_the_current_cursor(api):
    assert await cursor_now(api) == 0
    trialbook.Experiment.create("one", hypothesis="h")
    assert await cursor_now(api) > 0


async def test_returns_at_once_when_changes_are_waiting(api):
    cursor = await cursor_now(api)
    trialbook.Experiment.create("one", hypothesis="h")

    started = time.monotonic()
    response = await api("GET", "changes", params=[("since", cursor), ("timeout", 25)])

    assert time.monotonic() - started < 5
    body = response.body
    assert body["reset"] is False
    (change,) = body["changes"]
    assert change["kind"] == "experiment.created"
    assert change["entity_type"] == "experiment" and change["entity_name"] == "one"
    assert body["cursor"] == change["seq"] > cursor


async def test_long_poll_wakes_for_a_writer_in_another_process(api):
    cursor = await cursor_now(api)
    poll = asyncio.ensure_future(
        api("GET", "changes", params=[("since", cursor), ("timeout", 30)], timeout=60)
    )
    await asyncio.sleep(0.5)
    assert not poll.done()  # pending: nothing changed yet

    writer = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER)
    assert await writer.wait() == 0
    started = time.monotonic()
    response = await asyncio.wait_for(poll, 10)

    assert time.monotonic() - started < 5  # woken by the write, not by the timeout
    changes = response.body["changes"]
    assert changes and changes[0]["entity_name"] == "from-a-script"
    later = await api("GET", "changes", params=[("since", response.body["cursor"]), ("timeout", 0)])
    kinds = {c["kind"] for c in changes + later.body["changes"]}
    assert "metrics.appended" in kinds


async def test_one_write_wakes_every_pending_long_poll(api):
    cursor = await cursor_now(api)
    polls = [
        asyncio.ensure_future(
            api("GET", "changes", params=[("since", cursor), ("timeout", 30)], timeout=60)
        )
        for _ in range(6)
    ]
    await asyncio.sleep(0.5)
    assert not any(poll.done() for poll in polls)
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import trialbook; trialbook.Experiment.create('x', hypothesis='h')"
    )
    assert await writer.wait() == 0
    responses = await asyncio.wait_for(asyncio.gather(*polls), 15)
    for response in responses:
        assert [c["entity_name"] for c in response.body["changes"]] == ["x"]


async def test_timeout_returns_no_changes_and_the_same_cursor(api):
    cursor = await cursor_now(api)

    started = time.monotonic()
    response = await api("GET", "changes", params=[("since", cursor), ("timeout", 0.3)])

    assert 0.25 <= time.monotonic() - started < 5
    assert response.body == {"cursor": cursor, "changes": [], "reset": False}


async def test_a_cursor_from_another_store_resets(api):
    trialbook.Experiment.create("one", hypothesis="h")

    response = await api("GET", "changes", params=[("since", 10_000), ("timeout", 0)])

    assert response.body["reset"] is True
    assert response.body["cursor"] == await cursor_now(api)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("since", "abc")], "since"),
        ([("since", "-1")], "since"),
        ([("since", "0"), ("timeout", "soon")], "timeout"),
    ],
)
async def test_bad_parameters_are_400(api, params, parameter):
    response = await api("GET", "changes", params=params)
    assert response.code == 400
    assert repr(parameter) in response.body["message"]


async def test_a_reader_behind_the_pruned_window_resets(api, monkeypatch):
    monkeypatch.setenv("TRIALBOOK_CHANGES_KEPT", "10")
    cursor = await cursor_now(api)
    experiment = trialbook.Experiment.create("one", hypothesis="h")
    for index in range(50):
        experiment.description = f"take {index}"
        experiment.save()

    behind = await api("GET", "changes", params=[("since", cursor), ("timeout", 0)])
    assert behind.body["reset"] is True
    assert behind.body["changes"] == []
    latest = await cursor_now(api)
    assert behind.body["cursor"] == latest

    recent = await api("GET", "changes", params=[("since", latest - 3), ("timeout", 0)])
    assert recent.body["reset"] is False
    assert [change["seq"] for change in recent.body["changes"]] == [
        latest - 2,
        latest - 1,
        latest,
    ]
