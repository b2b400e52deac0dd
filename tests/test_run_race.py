"""``exp.run`` in two processes at the same moment: the database lets exactly one run."""

from __future__ import annotations

import multiprocessing
import time

import pytest

import trialbook as tb
from trialbook.errors import AlreadyExistsError
from trialbook.store import open_store

RACES = 30


def _racer(barrier: multiprocessing.synchronize.Barrier, queue: multiprocessing.Queue) -> None:
    try:
        exp = tb.Experiment.load("race")
        for race in range(RACES):
            barrier.wait(60)
            try:
                tracker = exp.run(variables={"z": race})
            except AlreadyExistsError as error:
                queue.put((race, "refused", str(error)))
                barrier.wait(60)  # the winner holds its run until the loser has tried
                continue
            with tracker:
                queue.put((race, "ran", None))
                barrier.wait(60)
        tb.flush()
    except BaseException as error:  # report instead of dying silently
        queue.put((-1, "error", repr(error)))


def test_two_processes_starting_one_trial_at_once_only_one_runs() -> None:
    tb.Experiment.create("race", hypothesis="H", variables={"z": list(range(RACES))})
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_racer, args=(barrier, queue)) for _ in range(2)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in range(2 * RACES)]
    for process in processes:
        process.join(60)
    assert [r for r in results if r[1] == "error"] == []
    for race in range(RACES):
        outcomes = sorted(outcome for number, outcome, _ in results if number == race)
        assert outcomes == ["ran", "refused"], f"race {race}: {outcomes}"
    refusals = [message for _, outcome, message in results if outcome == "refused"]
    assert all("running now" in message or "already Completed" in message for message in refusals)
    assert any("running now" in message for message in refusals)


def test_an_attempt_with_a_stale_heartbeat_no_longer_blocks_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exp = tb.Experiment.create("stale", hypothesis="H", variables={"z": [0]})
    first = exp.run(variables={"z": 0})
    with pytest.raises(AlreadyExistsError, match="running now"):
        exp.run(variables={"z": 0})
    # The first attempt's process "dies": its heartbeat stops and ages past the limit.
    tb.flush()
    first._writer.remove_live(first.trial_component_name)
    first._writer.heartbeat()  # waits for a beat in flight that still named the first attempt
    open_store().record_heartbeat([first.trial_component_name], time.time() - 3600)
    with exp.run(variables={"z": 0}) as second:
        assert second.trial_component_name != first.trial_component_name
    assert [trial.status for trial in exp.list_trials()] == [tb.TrialStatus.COMPLETED]
