"""Benchmark of the store at scale (issue 13): 100,000 trials × 20 parameters × 5 metrics.

The trials are written straight into a fresh SQLite store with plain ``sqlite3`` (through the
library they would take minutes), then every measure goes through the library in this
process and is set against a floor measured in the same run:

- listing experiments (``list_experiment_summaries``), at two trial counts: it should not grow;
- the trial table: a filtered and sorted first page of 100 rows, and the default page of
  ``GET experiments/{name}/trials`` without a limit, against the whole table;
- 100 series of 100,000 steps (quick: 5 × 10,000) downsampled to 1,000 points, in one read;
- ``exp.dataframe()`` and ``ExperimentAnalytics(...).dataframe()`` against
  ``pandas.read_sql`` of the same rows (trial, parameters, metric summaries);
- many short trials: ``exp.run`` open + one metric point + close, against raw inserts of the
  same rows (a trial, a component, their link, a parameter, a series and a point).

    python benchmarks/scale.py            # 100,000 trials (a few minutes)
    python benchmarks/scale.py --quick    # 2,000 trials: a smoke run, a few seconds
    python benchmarks/scale.py --only-runs --runs 5000   # the exp.run measure alone
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PARAMETERS = 20
METRICS = 5
EXPERIMENT = "scale"
FULL = {"trials": 100_000, "small": 10_000, "series": 100, "steps": 100_000, "runs": 2_000}
# A smoke run of every measure, too small to judge the ratios.
QUICK = {"trials": 2_000, "small": 500, "series": 5, "steps": 10_000, "runs": 100}


def best_of(repeats: int, action: Callable[[], Any]) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def add_trials(database: Path, experiment: str, first: int, count: int) -> None:
    """``count`` trials of one Completed component each (1% InProgress) with PARAMETERS
    parameters and METRICS one-point series, written with plain SQL."""
    connection = sqlite3.connect(database)
    random.seed(first)
    now = time.time()
    experiment_id = connection.execute(
        "SELECT id FROM experiments WHERE name = ?", (experiment,)
    ).fetchone()[0]
    trial_rows, component_rows, links, parameters, series = [], [], [], [], []
    for index in range(first, first + count):
        trial_id = component_id = index + 1
        trial_rows.append((trial_id, f"{experiment}-t{index}", experiment_id, now, now, now))
        running = index % 100 == 99
        component_rows.append(
            (
                component_id,
                f"{experiment}-t{index}-training",
                "InProgress" if running else "Completed",
                now - 60,
                None if running else now,
                now,
                now if running else None,
            )
        )
        links.append((trial_id, component_id, now))
        parameters.extend(
            (component_id, f"p{k}", "float", random.random()) for k in range(PARAMETERS)
        )
        for k in range(METRICS):
            value = random.random()
            series.append((component_id, f"m{k}", value, value, value, value, now, now))
    with connection:
        connection.executemany(
            "INSERT INTO trials (id, name, experiment_id, tags, creation_time,"
            " last_modified_time, last_activity) VALUES (?, ?, ?, '{}', ?, ?, ?)",
            trial_rows,
        )
        connection.executemany(
            "INSERT INTO components (id, name, kind, status, start_time, end_time,"
            " creation_time, last_modified_time, last_activity, heartbeat_time, tags)"
            " VALUES (?, ?, 'training', ?, ?, ?, ?, ?, ?, ?, '{}')",
            [(*row[:6], row[5], row[5], row[6]) for row in component_rows],
        )
        connection.executemany(
            "INSERT INTO trial_components (trial_id, component_id, added_time) VALUES (?, ?, ?)",
            links,
        )
        connection.executemany(
            "INSERT INTO parameters (component_id, name, type, value) VALUES (?, ?, ?, ?)",
            parameters,
        )
        connection.executemany(
            "INSERT INTO metric_series (component_id, name, count, finite_count, mean,"
            " min_value, max_value, last_step, last_value, last_time, first_time)"
            " VALUES (?, ?, 1, 1, ?, ?, ?, 0, ?, ?, ?)",
            series,
        )
        recount = _recount_statement()
        if recount:
            for statement in recount:
                connection.execute(statement)
    connection.close()


def _recount_statement() -> list[str]:
    """The schema's statements that recompute stored tallies (none before tallies existed)."""
    from trialbook.store.sqlite import schema

    return list(getattr(schema, "RECOUNT", ()))


def _default_page() -> int | None:
    from trialbook.server.handlers import experiments

    return getattr(experiments, "DEFAULT_TRIAL_PAGE", None)


def measure_listing(store: Any) -> float:
    return best_of(5, lambda: store.list_experiment_summaries())


def measure_table(store: Any, query_type: Any) -> dict[str, float]:
    first_page = query_type(
        query="p3 > 0.5 and metrics.m1 > 0.2", sort="metrics.m0.last", limit=100
    )
    default = query_type(limit=_default_page())  # what GET …/trials without limit serves
    return {
        "filtered+sorted first page (100)": best_of(
            3, lambda: store.trial_table(EXPERIMENT, first_page)
        ),
        "GET trials without limit (default page)": best_of(
            1, lambda: store.trial_table(EXPERIMENT, default)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--runs", type=int, help="trials for the exp.run measure (default: 2,000; quick: 100)"
    )
    parser.add_argument(
        "--only-runs", action="store_true", help="only the exp.run measure, in an empty store"
    )
    options = parser.parse_args()
    sizes = dict(QUICK if options.quick else FULL)
    if options.quick:
        print("quick: a smoke run of every measure; sizes too small to judge the ratios")
    if options.runs:
        sizes["runs"] = options.runs
    directory = Path(tempfile.mkdtemp(prefix="trialbook-scale-"))
    os.environ["TRIALBOOK_STORE"] = str(directory / "store.db")
    os.environ.setdefault("TRIALBOOK_STALE_SECONDS", "30")
    try:
        if options.only_runs:
            run_only_runs(sizes, directory / "store.db")
        else:
            run(sizes, directory / "store.db")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_only_runs(sizes: dict[str, int], database: Path) -> None:
    print(f"Trialbook scale benchmark, exp.run only: {sizes['runs']:,} trials")
    measure_runs(sizes, database, lambda label, value: print(f"  {label:<58} {value}"))


def run(sizes: dict[str, int], database: Path) -> None:
    import pandas

    import trialbook
    from trialbook import ExperimentAnalytics
    from trialbook.store import TrialQuery, open_store

    print(f"Trialbook scale benchmark: {sizes}  python {sys.version.split()[0]}")
    experiment = trialbook.Experiment.create(EXPERIMENT, description="scale benchmark")
    store = open_store()
    report: list[tuple[str, str]] = []

    def note(label: str, value: str) -> None:
        report.append((label, value))
        print(f"  {label:<58} {value}")

    add_trials(database, EXPERIMENT, 0, sizes["small"])
    small_listing = measure_listing(store)
    small_page = measure_table(store, TrialQuery)["filtered+sorted first page (100)"]
    add_trials(database, EXPERIMENT, sizes["small"], sizes["trials"] - sizes["small"])
    large_listing = measure_listing(store)
    note(f"list experiments, {sizes['small']:,} trials", f"{small_listing * 1e3:8.1f} ms")
    note(f"list experiments, {sizes['trials']:,} trials", f"{large_listing * 1e3:8.1f} ms")
    note("  growth (large / small)", f"{large_listing / small_listing:8.2f}×")

    table = measure_table(store, TrialQuery)
    note(f"filtered+sorted first page, {sizes['small']:,} trials", f"{small_page * 1e3:8.1f} ms")
    for label, seconds in table.items():
        note(f"{label}, {sizes['trials']:,} trials", f"{seconds * 1e3:8.1f} ms")
    whole = best_of(1, lambda: store.trial_rows(EXPERIMENT))
    note("whole table (trial_rows), the ceiling of any page", f"{whole * 1e3:8.1f} ms")

    # DataFrames against pandas.read_sql of the same rows: exp.dataframe() shows trials and
    # metric summaries; ExperimentAnalytics adds parameters.
    trials_floor = best_of(2, lambda: read_sql_floor(pandas, database, parameters=False))
    floor = best_of(2, lambda: read_sql_floor(pandas, database, parameters=True))
    frame = best_of(1, lambda: experiment.dataframe())
    analytics = best_of(1, lambda: ExperimentAnalytics(experiment_name=EXPERIMENT).dataframe())
    note("pandas.read_sql floor (trials, summaries)", f"{trials_floor:8.2f} s")
    note("exp.dataframe()", f"{frame:8.2f} s  ({frame / trials_floor:.1f}× floor)")
    note("pandas.read_sql floor (trials, parameters, summaries)", f"{floor:8.2f} s")
    note(
        "ExperimentAnalytics(...).dataframe()",
        f"{analytics:8.2f} s  ({analytics / floor:.1f}× floor)",
    )

    measure_series(store, sizes, note)
    measure_runs(sizes, database, note)


def read_sql_floor(pandas: Any, database: Path, *, parameters: bool) -> None:
    """The same rows through ``pandas.read_sql`` (long format, no pivot): the floor."""
    connection = sqlite3.connect(database)
    try:
        pandas.read_sql("SELECT id, name, variables, creation_time FROM trials", connection)
        if parameters:
            pandas.read_sql(
                "SELECT tc.trial_id, p.name, p.value FROM parameters p"
                " JOIN trial_components tc ON tc.component_id = p.component_id",
                connection,
            )
        pandas.read_sql(
            "SELECT tc.trial_id, s.name, s.last_value, s.min_value, s.max_value, s.mean,"
            " s.count FROM metric_series s"
            " JOIN trial_components tc ON tc.component_id = s.component_id",
            connection,
        )
    finally:
        connection.close()


def measure_series(store: Any, sizes: dict[str, int], note: Callable[[str, str], None]) -> None:
    steps, count = sizes["steps"], sizes["series"]
    component = "series-owner"
    store.create_component(component, display_name=None, kind=None, tags={}, provenance=None)
    now = time.time()
    batch = {
        (component, f"s{k}"): [(step, now, float((step * 7 + k) % 1000)) for step in range(steps)]
        for k in range(count)
    }
    store.append_metric_points(batch)
    requests = [("component", component, f"s{k}") for k in range(count)]
    one = best_of(5, lambda: store.metric_series(requests[:1], max_points=1000))
    many = best_of(5, lambda: store.metric_series(requests, max_points=1000))
    note(f"1 series × {steps:,} steps at max_points=1000", f"{one * 1e3:8.1f} ms")
    note(f"{count} series × {steps:,} steps at max_points=1000", f"{many * 1e3:8.1f} ms")


def measure_runs(sizes: dict[str, int], database: Path, note: Callable[[str, str], None]) -> None:
    """``exp.run`` open + one point + close against raw inserts of the same rows, in
    alternating rounds (the machine's load moves: each round pairs the two in a few
    hundred milliseconds), each round from an empty write-ahead log (a round's own
    checkpoints count; the state the other left behind does not)."""
    import trialbook

    runs = sizes["runs"]
    rounds = max(1, min(10, runs // 200))
    sweep = trialbook.Experiment.create("sweep", description="many short trials")
    with sweep.run(variables={"lr": -1.0, "seed": -1}):  # once per process: package metadata
        pass
    raw = RawRunInserts(database)

    def sweep_round(first: int, count: int) -> None:
        for index in range(first, first + count):
            with sweep.run(variables={"lr": index * 1e-4, "seed": index}) as tracker:
                tracker.log_metric("loss", 1.0 / (index + 1))
        trialbook.flush()

    elapsed = floor = 0.0
    for round_index in range(rounds):
        first = round_index * runs // rounds
        count = (round_index + 1) * runs // rounds - first
        raw.settle()
        elapsed += best_of(1, lambda first=first, count=count: sweep_round(first, count))
        raw.settle()
        floor += raw.insert(first, count)
    raw.close()
    note(f"exp.run open + 1 point + close, {runs:,} trials", f"{runs / elapsed:8.0f} trials/s")
    note("raw inserts of the same rows (floor)", f"{runs / floor:8.0f} trials/s")
    note("  exp.run / floor", f"{floor / elapsed:8.1%}")


class RawRunInserts:
    """The floor of ``exp.run``: the same rows (trial, component, link, 2 parameters, series,
    point) inserted with plain sqlite3, one transaction a trial."""

    def __init__(self, database: Path) -> None:
        self.connection = sqlite3.connect(database, isolation_level=None)
        self.connection.execute("PRAGMA synchronous = NORMAL")
        self.experiment_id = self.connection.execute(
            "INSERT INTO experiments (name, tags, creation_time, last_modified_time,"
            " last_activity) VALUES ('raw', '{}', 0, 0, 0) RETURNING id"
        ).fetchone()[0]

    def close(self) -> None:
        self.connection.close()

    def settle(self) -> None:
        """Checkpoint the whole write-ahead log and truncate it (not timed)."""
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def insert(self, first: int, count: int) -> float:
        """Seconds to insert trials ``first`` … ``first + count - 1``."""
        connection = self.connection
        started = time.perf_counter()
        for index in range(first, first + count):
            now = time.time()
            variables = json.dumps({"lr": index * 1e-4, "seed": index})
            connection.execute("BEGIN IMMEDIATE")
            trial_id = connection.execute(
                "INSERT INTO trials (name, experiment_id, variables, identity, tags,"
                " creation_time, last_modified_time, last_activity) VALUES (?, ?, ?, ?, '{}',"
                " ?, ?, ?) RETURNING id",
                (f"raw-{index}", self.experiment_id, variables, variables, now, now, now),
            ).fetchone()[0]
            component_id = connection.execute(
                "INSERT INTO components (name, kind, status, start_time, end_time,"
                " creation_time, last_modified_time, last_activity, tags) VALUES (?, 'training',"
                " 'Completed', ?, ?, ?, ?, ?, '{}') RETURNING id",
                (f"raw-{index}-training", now, now, now, now, now),
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO trial_components VALUES (?, ?, ?)", (trial_id, component_id, now)
            )
            connection.executemany(
                "INSERT INTO parameters VALUES (?, ?, 'float', ?)",
                [(component_id, "lr", index * 1e-4), (component_id, "seed", index)],
            )
            series_id = connection.execute(
                "INSERT INTO metric_series (component_id, name, count, finite_count) VALUES"
                " (?, 'loss', 1, 1) RETURNING id",
                (component_id,),
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO metric_points VALUES (?, 0, 0, ?, ?)", (series_id, now, 1.0)
            )
            connection.execute("COMMIT")
        return time.perf_counter() - started


if __name__ == "__main__":
    main()
