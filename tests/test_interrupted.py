"""A killed writer leaves a readable store; its trial is derived Interrupted, never stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import trialbook as tb

SCRIPT = """
import sys, time
import trialbook as tb
exp = tb.Experiment.create("crash", hypothesis="h", exist_ok=True)
tracker = exp.run(variables={"lr": 0.1}).__enter__()
for step in range(1000):
    tracker.log_metric("loss", 1.0 / (step + 1))
tb.flush()
print(tracker.trial_component_name, flush=True)
while True:
    tracker.log_metric("loss", 0.5)
    time.sleep(0.01)
"""


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_killed_writer_is_interrupted_and_can_be_retried(
    store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_backend: str,
    store_rows: Callable[..., list[tuple]],
) -> None:
    monkeypatch.setenv("TRIALBOOK_HEARTBEAT_SECONDS", "0.2")
    monkeypatch.setenv("TRIALBOOK_STALE_SECONDS", "2")
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        component_name = process.stdout.readline().strip()
        assert component_name, "the writer process did not start"
        assert tb.TrialComponent.load(component_name).status == tb.TrialStatus.IN_PROGRESS
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert _wait_for(
        lambda: tb.TrialComponent.load(component_name).status == tb.TrialStatus.INTERRUPTED
    )
    (trial,) = tb.Trial.list("crash")
    assert trial.status == tb.TrialStatus.INTERRUPTED
    summary = tb.TrialComponent.load(component_name).metrics["loss"]
    assert summary.count >= 1000
    if store_backend == "sqlite":
        connection = sqlite3.connect(store_path)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = store_rows("SELECT status FROM components WHERE name = ?", (component_name,))
    assert stored == [("InProgress",)]  # Interrupted is derived, never stored
    from trialbook.store import open_store

    (summary_row,) = open_store().list_experiment_summaries()
    assert summary_row["status_counts"]["Interrupted"] == 1
    exp = tb.Experiment.load("crash")
    with exp.run(variables={"lr": 0.1}) as retry:
        retry.log_metric("loss", 0.1)
    assert retry.trial_component.display_name == "Training (attempt 2)"
    assert tb.Trial.load(trial.trial_name).status == tb.TrialStatus.COMPLETED
