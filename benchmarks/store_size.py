"""How big the store grows: N trials × 3 metrics × 10 steps, in bytes per trial and per point.

Each trial is written with the store calls ``exp.run`` makes (the trial, its running attempt
with provenance, its variables as parameters, its points in one flush, the Completed status),
so the file holds what a real run leaves: rows, summaries, buckets and the change feed. The
peer is MLflow's SQLite store, about 9.4 KB per run with the same content (issue #11).

    python benchmarks/store_size.py            # 100,000 trials
    python benchmarks/store_size.py --quick    # 1,000 trials
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trialbook import provenance
from trialbook.store import open_store, reset_store_cache

MLFLOW_BYTES_PER_RUN = 9_400
METRICS = ("loss", "accuracy", "learning_rate")
STEPS = 10


def build(trials: int) -> None:
    store = open_store()
    store.create_experiment(
        "size", description=None, hypothesis="H", objective=None, variables=None, tags={}
    )
    captured = provenance.capture()
    for index in range(trials):
        variables = {"lr": 0.001 * (index % 7 + 1), "seed": index}
        identity = f'{{"lr":{variables["lr"]},"seed":{index}}}'
        trial = f"size-trial-{index:06d}"
        store.create_trial(
            trial, experiment_name="size", variables=variables, identity=identity, tags={}
        )
        component = f"{trial}-training"
        store.start_attempt(
            trial,
            component,
            display_name="Training",
            kind="training",
            tags={},
            provenance=captured,
            start_time=time.time(),
        )
        store.set_parameters(component, variables, replace=False)
        now = time.time()
        store.append_metric_points(
            {
                (component, metric): [
                    (step, now + step, 1.0 / (step + 1 + m)) for step in range(STEPS)
                ]
                for m, metric in enumerate(METRICS)
            }
        )
        store.update_component(component, status="Completed", end_time=time.time())


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes per table and index (SQLite's dbstat), largest first; empty if unavailable."""
    try:
        with sqlite3.connect(path) as connection:
            rows = connection.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
    except sqlite3.Error:
        return {}
    return dict(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 trials (a smoke run)")
    parser.add_argument("--trials", type=int, default=None)
    arguments = parser.parse_args()
    trials = arguments.trials or (1_000 if arguments.quick else 100_000)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "trialbook.db"
        os.environ["TRIALBOOK_STORE"] = str(path)
        reset_store_cache()
        started = time.perf_counter()
        build(trials)
        elapsed = time.perf_counter() - started
        reset_store_cache()  # closes the connections: the WAL is checkpointed into the file
        size = path.stat().st_size
        points = trials * len(METRICS) * STEPS
        print(f"{trials:,} trials × {len(METRICS)} metrics × {STEPS} steps in {elapsed:.1f} s")
        print(f"store file: {size / 1e6:,.1f} MB")
        print(f"per trial: {size / trials:,.0f} B   per point: {size / points:,.1f} B")
        print(
            f"MLflow ~{MLFLOW_BYTES_PER_RUN:,} B per run: Trialbook is "
            f"{size / trials / MLFLOW_BYTES_PER_RUN:.2f}× of it"
        )
        for name, used in list(table_bytes(path).items())[:8]:
            print(f"  {name:<28} {used / 1e6:9.1f} MB  {used / trials:8,.0f} B/trial")


if __name__ == "__main__":
    main()
