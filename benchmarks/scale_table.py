"""The trial table at 10,000 → 100,000 (→ 1,000,000) trials, on SQLite and PostgreSQL, in the
store and through REST (a real Jupyter Server), and MLflow's ``search_runs`` on the same
runs with the same filter (issue 13, "REST: a filtered and sorted first page").

The trials are those of ``scale.py`` (20 parameters, 5 one-point metrics, one component
each), written with plain SQL; a PostgreSQL store gets a copy of the SQLite rows by COPY.
Each size is measured in the same run, so the growth ratio is what to judge.

    python benchmarks/scale_table.py --quick                      # 500 → 2,000 trials (smoke)
    python benchmarks/scale_table.py                              # 10,000 → 100,000
    python benchmarks/scale_table.py --sizes 10000,100000,1000000 # the one-off 1M run
    python benchmarks/scale_table.py --postgres postgresql://user@host/db
    python benchmarks/scale_table.py --mlflow /tmp/benchvenv/bin/python  # adds the peer
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _harness import jupyter_server
from scale import EXPERIMENT, add_trials, best_of

QUERY = "p3 > 0.5 and metrics.m1 > 0.2"
SORT = "metrics.m0.last"
PAGE = 100
#: MLflow compares parameters as text, with = != LIKE only: the peer's filter is on metrics.
PEER_QUERY = "metrics.m2 > 0.5 and metrics.m1 > 0.2"
MLFLOW_FILTER = "metrics.m2 > 0.5 and metrics.m1 > 0.2"
_COPIED = (
    "experiments",
    "trials",
    "components",
    "trial_components",
    "parameters",
    "metric_series",
    "experiment_columns",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 and 2,000 trials (a smoke run)")
    parser.add_argument("--sizes", help="comma-separated trial counts (default 10000,100000)")
    parser.add_argument("--postgres", help="also on this PostgreSQL database (a fresh schema)")
    parser.add_argument("--mlflow", help="a Python with mlflow installed: adds search_runs")
    parser.add_argument("--no-rest", action="store_true", help="store only, no Jupyter Server")
    arguments = parser.parse_args()
    default = "500,2000" if arguments.quick else "10000,100000"
    sizes = [int(size) for size in (arguments.sizes or default).split(",")]
    directory = Path(tempfile.mkdtemp(prefix="trialbook-scale-table-"))
    database = directory / "store.db"
    os.environ["TRIALBOOK_STORE"] = str(database)
    os.environ.setdefault("TRIALBOOK_STALE_SECONDS", "30")
    print(f"Trialbook trial table at scale: {sizes} trials, q={QUERY!r}, sort={SORT}, {PAGE} rows")
    try:
        import trialbook

        trialbook.Experiment.create(EXPERIMENT, description="scale benchmark")
        done = 0
        for number, size in enumerate(sizes, start=1):
            rest = not arguments.no_rest and (number == len(sizes) or not arguments.quick)
            started = time.perf_counter()
            for first in range(done, size, 100_000):
                add_trials(database, EXPERIMENT, first, min(100_000, size - first))
            done = size
            print(f"\n{size:,} trials (written in {time.perf_counter() - started:.1f} s)")
            measure(str(database), directory, "SQLite", rest=rest)
            if arguments.postgres:
                url = copy_to_postgres(database, arguments.postgres)
                try:
                    measure(url, directory, "PostgreSQL", rest=rest)
                finally:
                    drop_schema(url)
            if arguments.mlflow:
                mlflow_search(arguments.mlflow, database, directory, size)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def measure(location: str, directory: Path, label: str, *, rest: bool) -> None:
    from trialbook.store import TrialQuery, open_store, reset_store_cache

    os.environ["TRIALBOOK_STORE"] = location
    reset_store_cache()
    store = open_store()
    queries = {
        "filtered + sorted first page": TrialQuery(query=QUERY, sort=SORT, limit=PAGE),
        "sorted first page": TrialQuery(sort=SORT, descending=True, limit=PAGE),
        "filtered first page": TrialQuery(query=QUERY, limit=PAGE),
        "peer's filter, sorted first page": TrialQuery(query=PEER_QUERY, sort=SORT, limit=PAGE),
    }
    counter = iter(range(1_000_000))

    def write() -> None:
        """A write anywhere in the store: the next read of any query starts afresh."""
        store.update_experiment(EXPERIMENT, notes=f"write {next(counter)}")

    for name, query in queries.items():
        total = store.trial_table(EXPERIMENT, query).total  # the columns, as a server has them
        seconds = best_after(5, write, lambda query=query: store.trial_table(EXPERIMENT, query))
        print(f"  {label:<10} store  {name:<34} {seconds * 1e3:9.1f} ms")
        middle = dataclasses.replace(query, offset=total // 2)
        seconds = best_of(5, lambda query=middle: store.trial_table(EXPERIMENT, query))
        print(f"  {label:<10} store    … then its middle page (no write) {seconds * 1e3:7.1f} ms")
    query, other = (
        queries["filtered + sorted first page"],
        TrialQuery(query=QUERY, sort="metrics.m2.last", limit=PAGE),
    )
    seconds = best_after(
        5,
        lambda: (write(), store.trial_table(EXPERIMENT, query)),
        lambda: store.trial_table(EXPERIMENT, other),
    )
    print(f"  {label:<10} store    … then sorted by another metric   {seconds * 1e3:7.1f} ms")
    if not rest:
        return
    with jupyter_server(location, directory) as client:  # type: ignore[arg-type]
        for name, query in (("q", QUERY), ("peer's q", PEER_QUERY)):
            params = [("q", query), ("sort", SORT), ("limit", PAGE)]
            client.api("experiments", EXPERIMENT, "trials", params=params)
            seconds = best_after(
                5,
                write,
                lambda params=params: client.api(
                    "experiments", EXPERIMENT, "trials", params=params
                ),
            )
            total = json.loads(client.api("experiments", EXPERIMENT, "trials", params=params))
            print(
                f"  {label:<10} REST   GET …/trials?{name}=…&sort=…&limit={PAGE:<6}"
                f" {seconds * 1e3:9.1f} ms  (total {total['total']:,})"
            )
            middle = [*params, ("offset", total["total"] // 2)]
            seconds = best_of(
                5,
                lambda params=middle: client.api(
                    "experiments", EXPERIMENT, "trials", params=params
                ),
            )
            then = "  … then its middle page (no write)"
            print(f"  {label:<10} REST   {then} {seconds * 1e3:7.1f} ms")
    os.environ["TRIALBOOK_STORE"] = str(directory / "store.db")
    reset_store_cache()


def best_after(repeats: int, setup: Callable[[], Any], action: Callable[[], Any]) -> float:
    """The fastest of ``repeats`` runs of ``action``, each after ``setup`` (not timed)."""
    times = []
    for _ in range(repeats):
        setup()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def copy_to_postgres(database: Path, server: str) -> str:
    """A fresh schema on ``server`` holding the SQLite store's rows; its store URL."""
    import psycopg

    from trialbook.store import open_store, reset_store_cache
    from trialbook.store.postgres.url import parse_postgres_url

    schema = f"scale_{uuid.uuid4().hex[:8]}"
    url = f"{server}{'&' if '?' in server else '?'}schema={schema}"
    os.environ["TRIALBOOK_STORE"] = url
    reset_store_cache()
    open_store().close()  # creates the schema
    started = time.perf_counter()
    source = sqlite3.connect(database)
    with psycopg.connect(parse_postgres_url(url).conninfo) as target:
        target.execute(f'SET search_path TO "{schema}"')
        for table in _COPIED:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}")
            value = columns.index("value") if table == "parameters" else -1
            names = ", ".join(columns)
            with target.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if value >= 0:  # the scalar type: (number, text, kind)
                        row = (*row[:value], f"({row[value]},,float)", *row[value + 1 :])
                    copy.write_row(row)
        target.execute("ANALYZE")
    source.close()
    print(f"  (copied into PostgreSQL schema {schema} in {time.perf_counter() - started:.1f} s)")
    return url


def drop_schema(url: str) -> None:
    import psycopg

    from trialbook.store import reset_store_cache
    from trialbook.store.postgres.url import parse_postgres_url

    reset_store_cache()
    parsed = parse_postgres_url(url)
    with psycopg.connect(parsed.conninfo, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{parsed.schema}" CASCADE')


_MLFLOW = """
import sys, time
from mlflow.tracking import MlflowClient
client = MlflowClient(tracking_uri=sys.argv[1])
experiment = client.get_experiment_by_name("scale").experiment_id
def page():
    return client.search_runs([experiment], sys.argv[2], order_by=["metrics.m0 ASC"],
                              max_results=int(sys.argv[3]))
page()
best = min((lambda s: (page(), time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(3))
print(best)
"""


def mlflow_search(python: str, database: Path, directory: Path, size: int) -> None:
    """MLflow's ``search_runs`` on the same runs (written into its SQLite schema by
    ``_mlflow_rows.py``), the same filter, sort and page size."""
    uri = mlflow_store(python, database, directory, size)
    done = subprocess.run(
        [python, "-c", _MLFLOW, uri, MLFLOW_FILTER, str(PAGE)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        print(f"  MLflow search_runs failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    print(
        f"  MLflow     search_runs(filter, order_by=m0, max_results={PAGE})"
        f"   {float(done.stdout) * 1e3:9.1f} ms"
    )


def mlflow_store(python: str, database: Path, directory: Path, size: int) -> str:
    from _mlflow_rows import write_mlflow_runs  # type: ignore[import-not-found]

    return write_mlflow_runs(python, database, directory / f"mlflow-{size}.db")


if __name__ == "__main__":
    main()
