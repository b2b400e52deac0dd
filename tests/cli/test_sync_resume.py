"""A sync killed at any point, then run again, leaves exactly the source's records and points."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import invoke_json, populate, snapshot, store_at
from trialbook.store import open_store

# Runs one sync that SIGKILLs itself right after its N-th write transaction on the destination.
KILLED_SYNC = """
import os, signal, sys
from trialbook.cli import sync
from trialbook.store import create_store, resolve_store_location

sync.POINT_BATCH = 7  # several transactions per series
source, destination, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
writes = 0

def after_write():
    global writes
    writes += 1
    if writes == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)

synchronizer = sync.Synchronizer(
    create_store(resolve_store_location(source)),
    create_store(resolve_store_location(destination)),
    after_write=after_write,
)
synchronizer.run()
print(writes)
"""


def _killed_sync(source: Path, destination: Path, kill_after: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", KILLED_SYNC, str(source), str(destination), str(kill_after)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_sync_killed_after_any_write_resumes_exactly(tmp_path: Path, store_path: Path) -> None:
    populate(tmp_path, points=30)
    expected = snapshot(open_store())
    total = int(_killed_sync(store_path, tmp_path / "count" / "t.db", 0).stdout)
    assert total > 40  # the points alone take 3 × 5 batches
    for kill_after in sorted({1, 2, 3, 5, 8, 13, 21, total // 2, total - 1}):
        destination = tmp_path / f"killed-{kill_after}" / "trialbook.db"
        killed = _killed_sync(store_path, destination, kill_after)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        invoke_json("sync", str(store_path), str(destination))
        assert snapshot(store_at(destination)) == expected, f"killed after write {kill_after}"
        assert invoke_json("sync", str(store_path), str(destination))["added"] == 0


@pytest.mark.timeout(300)
def test_sigkill_mid_copy_of_a_big_series_then_resume(tmp_path: Path, store_path: Path) -> None:
    """A real kill at an arbitrary moment of the command (not at a chosen write)."""
    source = open_store()
    source.create_component("big", display_name=None, kind="training", tags={}, provenance=None)
    total = 400_000
    for start in range(0, total, 100_000):
        source.append_metric_points(
            {
                ("big", "loss"): [
                    (step, 1e9 + step, step * 0.5) for step in range(start, start + 100_000)
                ]
            }
        )
    destination = tmp_path / "team" / "trialbook.db"
    command = [sys.executable, "-m", "trialbook", "sync", str(store_path), str(destination)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    held = 0
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if destination.exists():
            try:
                summaries = store_at(destination).metric_summaries(["big"])["big"]
            except Exception:  # the schema is being created right now
                summaries = {}
            held = summaries["loss"].count if "loss" in summaries else 0
            if held > 0:
                os.kill(process.pid, signal.SIGKILL)
                break
        time.sleep(0.01)
    process.wait(timeout=60)
    report = invoke_json("sync", str(store_path), str(destination))
    team = store_at(destination)
    series = team.metric_points("big", "loss")
    assert series.steps == list(range(total))
    assert series.values == [step * 0.5 for step in range(total)]
    if process.returncode == -signal.SIGKILL:
        assert 0 < report["points"] < total  # the first run had copied part of it
    assert invoke_json("sync", str(store_path), str(destination))["added"] == 0
