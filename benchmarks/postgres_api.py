"""Benchmark of the REST API on PostgreSQL against SQLite: the trial table and downsampled
metric series, the same data in both stores, both served by real Jupyter Servers in the
same run (the measures take turns, so load from other processes hits both alike).

    python benchmarks/postgres_api.py            # 10,000 trials; 100 series × 10,000 steps
    python benchmarks/postgres_api.py --quick    # smoke run (60 trials, 4 series × 1,000)

Data is generated through the library (``exp.run``, ``log_parameters``, ``log_metrics``) by
a few worker processes per store. Needs a PostgreSQL server: TRIALBOOK_BENCH_POSTGRES or
TRIALBOOK_TEST_POSTGRES (the store is a fresh schema, dropped afterwards); without one it
says so and exits. Each figure is the best of the rounds after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _harness import ApiClient, jupyter_server

from api import interleaved

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FULL = {"trials": 10_000, "parameters": 20, "metrics": 5, "steps": 50, "series": 100,
        "series_steps": 10_000, "repeats": 7, "workers": 2}  # fmt: skip
QUICK = {"trials": 60, "parameters": 20, "metrics": 5, "steps": 10, "series": 4,
         "series_steps": 1_000, "repeats": 2, "workers": 2}  # fmt: skip
TABLE = "bench-table"
SERIES = "bench-series"
PAGE = 500


def server_url() -> str | None:
    return os.environ.get("TRIALBOOK_BENCH_POSTGRES") or os.environ.get("TRIALBOOK_TEST_POSTGRES")


# -- data, through the library, a share of the trials per worker process ------------------------


def _table_worker(store: str, sizes: dict[str, int], first: int, last: int) -> None:
    os.environ["TRIALBOOK_STORE"] = store
    import trialbook

    exp = trialbook.Experiment.load(TABLE)
    for index in range(first, last):
        with exp.run(variables={"index": index, "lr": 10 ** -(index % 5)}) as tracker:
            tracker.log_parameters(
                {f"p{j}": (index * 31 + j) % 97 / 7 for j in range(sizes["parameters"])}
            )
            for step in range(sizes["steps"]):
                tracker.log_metrics(
                    {f"m{k}": (index + 1) * (k + 1) / (step + 1) for k in range(sizes["metrics"])},
                    step=step,
                )
    trialbook.flush()


def _series_worker(store: str, sizes: dict[str, int], first: int, last: int) -> None:
    os.environ["TRIALBOOK_STORE"] = store
    import trialbook

    exp = trialbook.Experiment.load(SERIES)
    for index in range(first, last):
        with exp.run(variables={"index": index}) as tracker:
            log = tracker.log_metric
            for step in range(sizes["series_steps"]):
                log("loss", 1.0 / (step + 1) + index * 1e-3 + (step % 97) * 1e-4, step=step)
    trialbook.flush()


def generate(store: str, sizes: dict[str, int]) -> float:
    """Fill ``store`` (seconds taken): the table experiment and the series experiment."""
    os.environ["TRIALBOOK_STORE"] = store
    import trialbook
    from trialbook.store import reset_store_cache

    reset_store_cache()
    trialbook.Experiment.create(
        TABLE,
        hypothesis="The table is served alike",
        objective={"metric": "m0", "goal": "minimize"},
    )
    trialbook.Experiment.create(SERIES, hypothesis="Series are served alike")
    reset_store_cache()  # the workers are spawned: nothing open to inherit
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    workers = sizes["workers"]
    jobs = []
    for worker, total in ((_table_worker, sizes["trials"]), (_series_worker, sizes["series"])):
        bounds = [total * share // workers for share in range(workers + 1)]
        jobs += [
            context.Process(target=worker, args=(store, sizes, bounds[i], bounds[i + 1]))
            for i in range(workers)
            if bounds[i] < bounds[i + 1]
        ]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
        if job.exitcode != 0:
            raise RuntimeError(f"a data worker failed (exit code {job.exitcode})")
    return time.perf_counter() - started


# -- the measures ----------------------------------------------------------------------------------


def measures(client: ApiClient, series_trials: list[str]) -> dict[str, Callable[[], bytes]]:
    table = ("experiments", TABLE, "trials")
    page = [("limit", PAGE)]

    def filtered(column: str, op: str, value: float) -> list[tuple[str, Any]]:
        return [*page, ("filter", json.dumps({"column": column, "op": op, "value": value}))]

    series = [("trial", name) for name in series_trials]
    series += [("name", "loss"), ("max_points", 1000)]
    return {
        "first page, creation order": lambda: client.api(*table, params=page),
        "first page sorted by metrics.m0.min": lambda: client.api(
            *table, params=[*page, ("sort", "metrics.m0.min"), ("order", "desc")]
        ),
        "filtered by a parameter (p0 ≥ 7)": lambda: client.api(
            *table, params=filtered("parameters.p0", "ge", 7.0)
        ),
        "filtered by a metric (m1.last < 100)": lambda: client.api(
            *table, params=filtered("metrics.m1.last", "lt", 100.0)
        ),
        "status=Completed": lambda: client.api(*table, params=[*page, ("status", "Completed")]),
        "GET experiments": lambda: client.api("experiments"),
        "series downsampled to 1,000": lambda: client.api("metrics", params=series),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    arguments = parser.parse_args()
    url = server_url()
    if not url:
        print("postgres_api: no PostgreSQL server (set TRIALBOOK_BENCH_POSTGRES); skipped")
        return 0
    import psycopg

    from trialbook.store.postgres.url import redact

    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        print(f"postgres_api: PostgreSQL at {redact(url)} is not reachable ({reason}); skipped")
        return 0
    sizes = QUICK if arguments.quick else FULL
    workdir = Path(tempfile.mkdtemp(prefix="trialbook-bench-pg-api-"))
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    stores = {
        "SQLite": str(workdir / "sqlite" / "trialbook.db"),
        "PostgreSQL": f"{url}{'&' if '?' in url else '?'}schema={schema}",
    }
    try:
        print(
            f"REST API on PostgreSQL vs SQLite: {sizes['trials']:,} trials × "
            f"{sizes['parameters']} parameters × {sizes['metrics']} metrics × {sizes['steps']} "
            f"steps; {sizes['series']} series × {sizes['series_steps']:,} steps"
        )
        for backend, store in stores.items():
            seconds = generate(store, sizes)
            print(f"  generated on {backend} in {seconds:.1f} s ({sizes['workers']} processes)")
        with ExitStack() as servers:
            operations: dict[str, Callable[[], bytes]] = {}
            for backend, store in stores.items():
                folder = workdir / f"server-{backend.lower()}"
                folder.mkdir()
                client = servers.enter_context(jupyter_server(store, folder))  # type: ignore[arg-type]
                body = json.loads(client.api("experiments", SERIES, "trials"))
                trials = [row["name"] for row in body["trials"]]
                for label, operation in measures(client, trials).items():
                    operations[f"{backend}|{label}"] = operation
            results = interleaved(sizes["repeats"], operations)
        report(results)
    finally:
        from trialbook.store import reset_store_cache

        reset_store_cache()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(results: dict[str, tuple[float, int]]) -> None:
    labels = list(dict.fromkeys(key.split("|", 1)[1] for key in results))
    width = max(len(label) for label in labels)
    print(f"  {'measure':<{width}}  {'SQLite':>9}  {'PostgreSQL':>10}  PG/SQLite  size")
    for label in labels:
        sqlite, size = results[f"SQLite|{label}"]
        postgres, postgres_size = results[f"PostgreSQL|{label}"]
        differs = abs(size - postgres_size) > 0.02 * size
        print(
            f"  {label:<{width}}  {sqlite * 1000:7.1f} ms  {postgres * 1000:8.1f} ms"
            f"  {postgres / sqlite:8.2f}×  {size / 1e3:,.0f} kB"
            + (f" (PG {postgres_size / 1e3:,.0f} kB)" if differs else "")
        )


if __name__ == "__main__":
    raise SystemExit(main())
