"""Benchmark of the notebook DataFrames at 100,000 trials (issue 13): ``exp.dataframe()`` and
``ExperimentAnalytics(...).dataframe()`` against ``pandas.read_sql`` of the same rows.

The trials (``scale.add_trials``: one component each, 20 float parameters, 5 one-point
metric series; ``--variables N`` also gives each trial N of them as its variables, as
``exp.run`` does) are written with plain SQL into a fresh SQLite store, and with
``--postgres`` copied into a fresh schema there. Each frame is timed in this process, wall
and CPU (``time.process_time``: the machine is shared, CPU seconds move less), against its
floor measured in the same run: ``pandas.read_sql`` of the rows it shows, long format, no
pivot (trials + metric summaries for ``exp.dataframe()``; components + parameters + metric
summaries for ``ExperimentAnalytics``).

    python benchmarks/scale_frames.py                    # 100,000 trials, SQLite
    python benchmarks/scale_frames.py --postgres postgresql://user@host/db
    python benchmarks/scale_frames.py --variables 20     # trials with 20 variables each
    python benchmarks/scale_frames.py --quick            # 2,000 trials, a smoke run (~3 s)
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import EXPERIMENT, add_trials
from scale_table import copy_to_postgres, drop_schema

REPEATS = 2


def timed(repeats: int, action: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of the run with the least CPU of ``repeats``."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        spent = (time.perf_counter() - wall, time.process_time() - cpu)
        best = min(best, spent, key=lambda pair: pair[1])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 trials: a smoke run")
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--variables", type=int, default=0, help="variables a trial (≤ 20)")
    parser.add_argument("--postgres", help="also on this PostgreSQL database (a fresh schema)")
    arguments = parser.parse_args()
    trials = 2_000 if arguments.quick else arguments.trials
    directory = Path(tempfile.mkdtemp(prefix="trialbook-frames-"))
    database = directory / "store.db"
    os.environ["TRIALBOOK_STORE"] = str(database)
    os.environ.setdefault("TRIALBOOK_STALE_SECONDS", "30")
    try:
        import trialbook

        print(
            f"Trialbook DataFrame benchmark: {trials:,} trials × 20 parameters × 5 metrics,"
            f" {arguments.variables} variables a trial; python {sys.version.split()[0]},"
            f" load average {os.getloadavg()[0]:.1f}"
        )
        if arguments.quick:
            print("quick: a smoke run of every measure; too small to judge the ratios")
        trialbook.Experiment.create(EXPERIMENT, description="DataFrame benchmark")
        add_trials(database, EXPERIMENT, 0, trials)
        if arguments.variables:
            give_variables(database, arguments.variables)
        measure("SQLite", lambda: sqlite3.connect(database))
        if arguments.postgres:
            url = copy_to_postgres(database, arguments.postgres)
            try:
                measure("PostgreSQL", lambda: postgres_connection(url))
            finally:
                drop_schema(url)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def give_variables(database: Path, count: int) -> None:
    """Each trial's first ``count`` parameters as its variables (JSON), as ``exp.run``
    keeps them, and the tallies and column catalogue recomputed for them."""
    from trialbook.store.sqlite import schema

    names = ", ".join(f"'p{k}'" for k in range(count))
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE trials SET variables = (SELECT json_group_object(p.name, p.value)"
            f" FROM parameters p WHERE p.component_id = trials.id AND p.name IN ({names}))"
        )
        for statement in getattr(schema, "RECOUNT", ()):
            connection.execute(statement)


def postgres_connection(url: str) -> Any:
    import psycopg

    from trialbook.store.postgres.url import parse_postgres_url

    parsed = parse_postgres_url(url)
    connection = psycopg.connect(parsed.conninfo)
    connection.execute(f'SET search_path TO "{parsed.schema}"')
    return connection


def measure(label: str, connect: Callable[[], Any]) -> None:
    import trialbook

    experiment = trialbook.Experiment.load(EXPERIMENT)
    experiment.dataframe()  # the first read of a process pays for imports and caches
    # PostgreSQL's own CPU is another process's: compare its wall times
    print(f"{label}:  wall / CPU seconds of this process, and their ratios to the floor's")
    frames = (
        ("exp.dataframe()", False, experiment.dataframe),
        (
            "ExperimentAnalytics(...).dataframe()",
            True,
            lambda: trialbook.ExperimentAnalytics(EXPERIMENT).dataframe(),
        ),
    )
    for name, parameters, build in frames:
        floor = timed(REPEATS, functools.partial(read_sql_floor, connect, parameters=parameters))
        spent = timed(REPEATS, build)
        print(f"  {'pandas.read_sql floor':<38} {floor[0]:6.2f} / {floor[1]:6.2f} s")
        print(
            f"  {name:<38} {spent[0]:6.2f} / {spent[1]:6.2f} s"
            f"   {spent[0] / floor[0]:.2f}× / {spent[1] / floor[1]:.2f}× floor"
        )


def read_sql_floor(connect: Callable[[], Any], *, parameters: bool) -> None:
    """The rows a frame shows through ``pandas.read_sql``, long format (no pivot)."""
    import pandas

    connection = connect()
    value = "p.value" if isinstance(connection, sqlite3.Connection) else "(p.value).number"
    try:
        with warnings.catch_warnings():  # pandas prefers SQLAlchemy to a psycopg connection
            warnings.simplefilter("ignore", UserWarning)
            if parameters:
                pandas.read_sql(
                    "SELECT id, name, display_name, creation_time FROM components", connection
                )
                pandas.read_sql(
                    f"SELECT p.component_id, p.name, p.type, {value} FROM parameters p", connection
                )
            else:
                pandas.read_sql(
                    "SELECT id, name, variables, creation_time, sole_component FROM trials",
                    connection,
                )
            pandas.read_sql(
                "SELECT component_id, name, count, finite_count, pos_inf_count, neg_inf_count,"
                " mean, m2, min_value, max_value, last_step, last_value FROM metric_series",
                connection,
            )
    finally:
        connection.close()


if __name__ == "__main__":
    main()
