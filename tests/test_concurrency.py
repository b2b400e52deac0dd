"""Several real processes writing one store at once lose nothing and raise nothing."""

from __future__ import annotations

import multiprocessing

import trialbook as tb
from trialbook.store import open_store

POINTS = 100_000


def _writer(index: int, queue: multiprocessing.Queue) -> None:
    import trialbook as tb

    try:
        with tb.Tracker.create(f"worker-{index}") as tracker:
            for step in range(POINTS):
                tracker.log_metric("loss", 1.0 / (step + 1))
                if step % 20_000 == 0:
                    tracker.log_parameter("progress", step)
        shared = tb.Tracker.load("shared")
        for _ in range(1000):
            shared.log_metric("x", float(index))
        tb.flush()
        queue.put((index, tracker.trial_component_name, None))
    except BaseException as error:  # report instead of dying silently
        queue.put((index, None, repr(error)))


def test_four_processes_write_one_store_losing_nothing() -> None:
    tb.TrialComponent.create("shared")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_writer, args=(i, queue)) for i in range(4)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert [error for _, _, error in results] == [None] * 4
    names = [name for _, name, _ in results]
    summaries = open_store().metric_summaries([*names, "shared"])
    for name in names:
        loss = summaries[name]["loss"]
        assert loss.count == POINTS and loss.max == 1.0 and loss.last == 1.0 / POINTS
        assert tb.TrialComponent.load(name).status == tb.TrialStatus.COMPLETED
    shared = summaries["shared"]["x"]
    assert shared.count == 4000 and (shared.min, shared.max) == (0.0, 3.0)
    series = open_store().metric_points("shared", "x")
    assert len(series.values) == 4000
