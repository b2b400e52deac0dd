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


def _create_same_set(barrier, queue: multiprocessing.Queue) -> None:
    import trialbook as tb

    try:
        exp = tb.Experiment.load("race")
        barrier.wait(60)
        trial = exp.create_trial(variables={"lr": 0.1, "seed": 1})
        queue.put(("created", trial.trial_name))
    except tb.AlreadyExistsError as error:
        existing = error.existing
        queue.put(("exists", getattr(existing, "trial_name", getattr(existing, "name", None))))
    except BaseException as error:
        queue.put(("error", repr(error)))


def test_processes_creating_the_same_variable_set_get_one_trial() -> None:
    tb.Experiment.create("race", hypothesis="h")
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(4)
    processes = [context.Process(target=_create_same_set, args=(barrier, queue)) for _ in range(4)]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(60)
    outcomes = [outcome for outcome, _ in results]
    assert outcomes == ["created", "exists", "exists", "exists"], results
    winner = results[0][1]
    assert all(name == winner for _, name in results)  # each loser is told the winner
    assert [t.trial_name for t in tb.Experiment.load("race").list_trials()] == [winner]


def _run_same_set(barrier, queue: multiprocessing.Queue) -> None:
    import time

    import trialbook as tb

    try:
        exp = tb.Experiment.load("race")
        barrier.wait(60)
        with exp.run(variables={"lr": 0.1}) as tracker:
            queue.put(("running", tracker.trial_component_name))
            time.sleep(3)  # still running while the other one tries
    except tb.TrialbookError as error:
        queue.put(("refused", str(error)))
    except BaseException as error:
        queue.put(("error", repr(error)))


def test_a_second_run_of_the_same_set_is_refused_while_the_first_runs() -> None:
    tb.Experiment.create("race", hypothesis="h")
    context = multiprocessing.get_context("spawn")
    queue, barrier = context.Queue(), context.Barrier(2)
    processes = [context.Process(target=_run_same_set, args=(barrier, queue)) for _ in range(2)]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(60)
    assert [outcome for outcome, _ in results] == ["refused", "running"], results
    assert "running now" in results[0][1]
    (trial,) = tb.Experiment.load("race").list_trials()
    assert len(trial.list_trial_components()) == 1
