"""Forked children (data-loader workers) start with empty buffers and their own connection."""

from __future__ import annotations

import multiprocessing

import trialbook as tb
from trialbook.store import metric_writer, open_store


def _child(tracker: tb.Tracker, index: int, queue: multiprocessing.Queue) -> None:
    pending_at_start = metric_writer().pending_points
    for step in range(500):
        tracker.log_metric(f"child-{index}", float(step))
    with tb.Tracker.create(f"child-{index}") as own:
        own.log_metric("m", 1.0)
    queue.put((pending_at_start, own.trial_component_name))
    # no explicit flush: the writer's multiprocessing finalizer writes the rest at exit


def test_fork_children_log_with_empty_buffers() -> None:
    tracker = tb.Tracker.create("parent")
    for step in range(10_000):
        tracker.log_metric("parent", float(step))
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_child, args=(tracker, i, queue)) for i in range(3)]
    for child in children:
        child.start()
    results = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    assert [pending for pending, _ in results] == [0, 0, 0]
    tb.flush()
    summaries = open_store().metric_summaries([tracker.trial_component_name])
    metrics = summaries[tracker.trial_component_name]
    assert metrics["parent"].count == 10_000  # no point written twice
    assert [metrics[f"child-{i}"].count for i in range(3)] == [500, 500, 500]
    for _, name in results:
        assert tb.TrialComponent.load(name).status == tb.TrialStatus.COMPLETED
    tracker.log_metric("parent", 1.0)  # the parent goes on logging
    tb.flush()
    assert (
        open_store()
        .metric_summaries([tracker.trial_component_name])[tracker.trial_component_name]["parent"]
        .count
        == 10_001
    )
