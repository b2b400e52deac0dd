"""Benchmark ``Tracker.log_metric`` against a floor and peers measured in the same run.

Reports, for N points through one component and for 100 components:
  (a) per-call overhead on the caller's thread (p50, p99),
  (b) end-to-end points/s until durable (first call → ``trialbook.flush()`` returned),
  (c) the floor: the same rows through raw ``sqlite3.executemany`` in one transaction,
  (d) MLflow ``log_metric`` / ``log_batch`` on SQLite and (e) W&B offline, when installed.

Usage: python benchmarks/log_metrics.py [--quick]
(Not named logging.py: a script of that name would shadow the standard library's module.)
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from _harness import log_metric_latency

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

T = TypeVar("T")


def fresh_store(folder: Path, label: str) -> None:
    from trialbook.store import reset_store_cache

    reset_store_cache()
    os.environ["TRIALBOOK_STORE"] = str(folder / label / "trialbook.db")


def per_call_latency(points: int, folder: Path) -> tuple[float, float]:
    """p50 and p99 of one log_metric call, in microseconds, in a fresh store."""
    fresh_store(folder, "latency")
    return log_metric_latency(points)


def end_to_end(components: int, points_each: int, folder: Path, label: str) -> float:
    """Points per second from the first log_metric call until flush() returned."""
    import trialbook as tb

    fresh_store(folder, label)
    trackers = [tb.Tracker.create(f"c{i}") for i in range(components)]
    started = time.perf_counter()
    if components == 1:
        log = trackers[0].log_metric
        for step in range(points_each):
            log("loss", 0.5, None, step)
    else:
        for step in range(points_each):
            for tracker in trackers:
                tracker.log_metric("loss", 0.5, None, step)
    tb.flush()
    elapsed = time.perf_counter() - started
    for tracker in trackers:
        tracker.close()
    return components * points_each / elapsed


def floor(components: int, points_each: int, folder: Path, label: str) -> float:
    """Raw executemany of the same rows in one transaction (same table, WAL, same pragmas)."""
    path = folder / label / "floor.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(
        "CREATE TABLE metric_points (series_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
        " step INTEGER NOT NULL, time REAL NOT NULL, value REAL,"
        " PRIMARY KEY (series_id, seq)) WITHOUT ROWID"
    )
    now = time.time()
    rows = [
        (series, step, step, now, 0.5)
        for step in range(points_each)
        for series in range(components)
    ]
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO metric_points VALUES (?, ?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def mlflow_rates(calls: int, folder: Path) -> tuple[float, float] | str:
    """MLflow on its SQLite backend: ``log_metric`` calls/s and ``log_batch`` points/s (1,000
    metrics a batch, MLflow's limit), or why it was skipped."""
    try:
        import logging

        from mlflow.entities import Metric
        from mlflow.tracking import MlflowClient
    except ImportError:
        return "not installed (pip install mlflow)"
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    (folder / "mlflow").mkdir(exist_ok=True)
    client = MlflowClient(tracking_uri=f"sqlite:///{folder / 'mlflow' / 'mlflow.db'}")
    experiment = client.create_experiment(
        "bench", artifact_location=(folder / "mlflow" / "artifacts").as_uri()
    )
    run_id = client.create_run(experiment).info.run_id
    started = time.perf_counter()
    for step in range(calls):
        client.log_metric(run_id, "loss", 0.5, step=step)
    per_call = calls / (time.perf_counter() - started)
    now = int(time.time() * 1000)
    batch = [Metric("loss2", 0.5, now, step) for step in range(calls)]
    started = time.perf_counter()
    for start in range(0, calls, 1000):
        client.log_batch(run_id, metrics=batch[start : start + 1000])
    batched = calls / (time.perf_counter() - started)
    client.set_terminated(run_id)
    return per_call, batched


def wandb_rate(calls: int, folder: Path) -> float | str:
    """W&B offline mode: ``run.log`` calls/s from the first call until ``finish()`` returned
    (its service process has written the run file), or why it was skipped."""
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    try:
        import wandb
    except ImportError:
        return "not installed (pip install wandb)"
    (folder / "wandb").mkdir(exist_ok=True)
    run = wandb.init(mode="offline", dir=str(folder / "wandb"), project="bench")
    started = time.perf_counter()
    for step in range(calls):
        run.log({"loss": 0.5}, step=step)
    run.finish()
    return calls / (time.perf_counter() - started)


def peer(measure: Callable[[], T | str]) -> T | str:
    """Run a peer's measurement; a peer that fails is reported as skipped, not fatal."""
    try:
        return measure()
    except Exception as error:  # a broken optional install must not end the benchmark
        return f"failed: {type(error).__name__}: {error}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (well under 2 min)")
    options = parser.parse_args()
    # Quick: a smoke run of every measure and peer, too small to judge the targets.
    points = 20_000 if options.quick else 1_000_000
    components, per_component = (100, 200) if options.quick else (100, 10_000)
    mode = "quick smoke run, too small to judge the targets" if options.quick else "full"
    print(f"trialbook log_metric benchmark ({mode})")
    print(
        f"python {platform.python_version()} · sqlite {sqlite3.sqlite_version} · "
        f"{platform.machine()} · {os.cpu_count()} cpus"
    )
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        p50, p99 = per_call_latency(points, folder)
        print(
            f"(a) per-call overhead: p50 {p50:.2f} µs, p99 {p99:.2f} µs (targets ≤ 2 µs, ≤ 20 µs)"
        )
        rates: dict[int, float] = {}
        for label, count, each in (
            ("one component", 1, points),
            ("100 components", components, per_component),
        ):
            rate = end_to_end(count, each, folder, label.replace(" ", "-"))
            base = floor(count, each, folder, label.replace(" ", "-"))
            rates[count] = rate
            print(f"(b) end to end, {label}: {rate:,.0f} points/s until durable")
            print(
                f"(c) floor, {label}: {base:,.0f} points/s raw executemany "
                f"→ ratio {rate / base:.0%} (target ≥ 50%)"
            )
        per_call_us = max(p50, 1e-3)
        rate = rates[1]
        mlflow_calls = 100 if options.quick else 20_000
        mlflow = peer(lambda: mlflow_rates(mlflow_calls, folder))
        if isinstance(mlflow, str):
            print(f"(d) MLflow: skipped — {mlflow}")
        else:
            print(
                f"(d) MLflow (SQLite) log_metric: {mlflow[0]:,.0f} calls/s "
                f"({1e6 / mlflow[0]:,.0f} µs a call) → trialbook per call "
                f"{1e6 / mlflow[0] / per_call_us:,.0f}× faster (target ≥ 1,000×), "
                f"end to end {rate / mlflow[0]:,.0f}×"
            )
            print(
                f"(d) MLflow (SQLite) log_batch: {mlflow[1]:,.0f} points/s "
                f"→ trialbook end to end {rate / mlflow[1]:,.1f}×"
            )
        wandb_calls = 2_000 if options.quick else 200_000
        wandb = peer(lambda: wandb_rate(wandb_calls, folder))
        if isinstance(wandb, str):
            print(f"(e) W&B offline: skipped — {wandb}")
        else:
            print(
                f"(e) W&B offline log: {wandb:,.0f} calls/s ({1e6 / wandb:,.0f} µs a call) "
                f"→ trialbook per call {1e6 / wandb / per_call_us:,.0f}× faster "
                f"(target ≥ 100×), end to end {rate / wandb:,.0f}×"
            )
        from trialbook.store import reset_store_cache

        reset_store_cache()


if __name__ == "__main__":
    main()
