"""Benchmark logging into a PostgreSQL store against a raw COPY floor, SQLite and MLflow,
all measured in the same run.

Reports, for N points through each of C components (one process):
  (a) the floor: the same rows COPYed (binary) into the same ``metric_points`` table in one
      transaction, with nothing else (no summaries, buckets or change feed);
  (b) Trialbook end to end on PostgreSQL: first ``log_metric`` → ``trialbook.flush()``
      returned, points durable with summaries, buckets and the change feed;
  (c) the same on SQLite; (d) ``log_metric`` p50 on the caller's thread on PostgreSQL;
  (e) MLflow's SQLAlchemy store ``log_batch`` on the same PostgreSQL, when mlflow is installed.

Needs a server: TRIALBOOK_BENCH_POSTGRES or TRIALBOOK_TEST_POSTGRES (``./scripts/test``
starts one); each run uses schemas of its own and drops them.
Usage: python benchmarks/postgres_store.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import log_metric_latency


def server_url() -> str | None:
    return os.environ.get("TRIALBOOK_BENCH_POSTGRES") or os.environ.get("TRIALBOOK_TEST_POSTGRES")


def use_store(location: str) -> None:
    from trialbook.store import reset_store_cache

    reset_store_cache()
    os.environ["TRIALBOOK_STORE"] = location


def end_to_end(components: int, points_each: int) -> float:
    """Points/s from the first log_metric to trialbook.flush() returned."""
    import trialbook as tb

    trackers = [tb.Tracker.create(f"bench-{index}") for index in range(components)]
    started = time.perf_counter()
    for tracker in trackers:
        log = tracker.log_metric
        for step in range(points_each):
            log("loss", 1.0 / (step + 1), None, step)
    tb.flush()
    elapsed = time.perf_counter() - started
    for tracker in trackers:
        tracker.close()
    return components * points_each / elapsed


def copy_floor(components: int, points_each: int) -> float:
    """Points/s of a bare binary COPY of the same rows into the store's metric_points."""
    import trialbook as tb
    from trialbook.store import open_store
    from trialbook.store.postgres.bulk import copy_rows

    store = open_store()
    names = [f"floor-{index}" for index in range(components)]
    for name in names:
        tb.TrialComponent.create(name)

    def series(tx) -> list[int]:  # one empty series per component, as logging makes them
        return [
            tx.scalar(
                "INSERT INTO metric_series (component_id, name)"
                " SELECT id, 'loss' FROM components WHERE name = ? RETURNING id",
                (name,),
            )
            for name in names
        ]

    series_ids = store.write(series)
    now = time.time()
    rows = [
        (series_id, step, step, now, 1.0 / (step + 1))
        for series_id in series_ids
        for step in range(points_each)
    ]
    connection = store.backend.connection()
    started = time.perf_counter()
    raw = connection.open()
    with raw.transaction():
        copy_rows(raw, "metric_points", rows)
    elapsed = time.perf_counter() - started
    return len(rows) / elapsed


def mlflow_log_batch(url: str, components: int, points_each: int, folder: Path) -> float | str:
    """Points/s of MLflow's SQLAlchemy store, log_batch of 1,000 metrics, same server."""
    try:
        import logging

        from mlflow.entities import Metric
        from mlflow.tracking import MlflowClient
    except ImportError:
        return "not installed (pip install mlflow)"
    import psycopg

    database = f"mlflow_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        logging.getLogger("mlflow").setLevel(logging.ERROR)
        base = url.rsplit("/", 1)[0]
        client = MlflowClient(
            tracking_uri=f"postgresql+psycopg://{base.split('://', 1)[1]}/{database}"
        )
        experiment = client.create_experiment("bench", artifact_location=folder.as_uri())
        runs = [client.create_run(experiment).info.run_id for _ in range(components)]
        started = time.perf_counter()
        for run_id in runs:
            for start in range(0, points_each, 1000):
                now = int(time.time() * 1000)
                batch = [
                    Metric("loss", 1.0 / (step + 1), now, step)
                    for step in range(start, min(start + 1000, points_each))
                ]
                client.log_batch(run_id, metrics=batch)
        return components * points_each / (time.perf_counter() - started)
    except Exception as error:  # a peer that fails here is reported, not fatal
        return f"failed: {type(error).__name__}: {str(error)[:120]}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run for CI smoke tests")
    arguments = parser.parse_args()
    url = server_url()
    if not url:
        print("postgres_store: no server (set TRIALBOOK_BENCH_POSTGRES); skipped")
        return
    import psycopg

    # Quick: a smoke run of every measure and the peer, too small to judge the ratios.
    components, points_each = (2, 5_000) if arguments.quick else (10, 100_000)
    rounds = 2 if arguments.quick else 3
    schemas: list[str] = []

    def postgres_store() -> str:
        schemas.append(f"bench_{uuid.uuid4().hex[:12]}")
        separator = "&" if "?" in url else "?"
        return f"{url}{separator}schema={schemas[-1]}"

    total = components * points_each
    mode = " (quick smoke run, too small to judge the ratios)" if arguments.quick else ""
    print(
        f"PostgreSQL store benchmark: {components} components × {points_each:,} points, "
        f"best of {rounds} rounds (the measures take turns, each on a fresh store){mode}"
    )
    floor = postgres = sqlite = 0.0
    try:
        with tempfile.TemporaryDirectory() as folder:
            for round_number in range(rounds):
                use_store(postgres_store())
                floor = max(floor, copy_floor(components, points_each))
                use_store(postgres_store())
                postgres = max(postgres, end_to_end(components, points_each))
                use_store(str(Path(folder) / f"sqlite-{round_number}" / "trialbook.db"))
                sqlite = max(sqlite, end_to_end(components, points_each))
            use_store(postgres_store())
            p50, _ = log_metric_latency(min(total, 200_000))
            # MLflow is ~50× slower: a tenth of the points measures its rate well enough
            mlflow = mlflow_log_batch(url, 1, max(points_each // 10, 1000), Path(folder))
            use_store(str(Path(folder) / "unused.db"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            for schema in schemas:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"  (a) floor: binary COPY into metric_points   {floor:>12,.0f} points/s")
    print(
        f"  (b) Trialbook on PostgreSQL, end to end     {postgres:>12,.0f} points/s"
        f"  = {postgres / floor:.0%} of the floor"
    )
    print(
        f"  (c) Trialbook on SQLite, end to end         {sqlite:>12,.0f} points/s"
        f"  (PostgreSQL = {postgres / sqlite:.2f}× SQLite)"
    )
    print(f"  (d) log_metric on the caller's thread (PostgreSQL store): p50 {p50:.2f} µs")
    if isinstance(mlflow, str):
        print(f"  (e) MLflow log_batch on the same PostgreSQL: {mlflow}")
    else:
        print(
            f"  (e) MLflow log_batch on the same PostgreSQL {mlflow:>12,.0f} points/s"
            f"  (Trialbook = {postgres / mlflow:.1f}× MLflow)"
        )


if __name__ == "__main__":
    main()
