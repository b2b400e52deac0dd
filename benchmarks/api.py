"""Benchmark of the REST API (issue 4): the trial table and downsampled metric series.

Data is generated through the library into a fresh store; every timing goes through a real
Jupyter Server started as a subprocess on a loopback port, and is compared with a floor
measured in the same run: the same rows read with plain sqlite3 SQL and encoded with
json.dumps. Absolute times are advisory on shared machines; judge the ratios.

    python benchmarks/api.py            # full size (several minutes)
    python benchmarks/api.py --quick    # smoke run (600 trials), about 10 s

Targets: whole table ≤ 1.5× its floor; first page (500 rows) ≤ 1/10 of the whole table;
100 series downsampled to 1,000 points: ≤ 1.5× between 10,000 and 100,000 steps.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _harness import jupyter_server

FULL = {
    "trials": 10_000,
    "parameters": 20,
    "metrics": 5,
    "steps": 50,
    "series": 100,
    "short_steps": 10_000,
    "long_steps": 100_000,
    "repeats": 7,
}
# A smoke run of every measure: too small to judge the targets (the series are 10× apart
# like the full run's, and both longer than MAX_POINTS, so both are downsampled).
QUICK = {
    "trials": 600,
    "parameters": 20,
    "metrics": 5,
    "steps": 3,
    "series": 4,
    "short_steps": 2_000,
    "long_steps": 20_000,
    "repeats": 1,
}
PAGE = 500
MAX_POINTS = 1000


@dataclass
class Sizes:
    trials: int
    parameters: int
    metrics: int
    steps: int
    series: int
    short_steps: int
    long_steps: int
    repeats: int


# -- data, through the library -----------------------------------------------------------------


def generate_table(trialbook: Any, sizes: Sizes) -> None:
    exp = trialbook.Experiment.create(
        "bench-table",
        hypothesis="The API serves a large trial table about as fast as plain SQL",
        objective={"metric": "m0", "goal": "minimize"},
    )
    for index in range(sizes.trials):
        with exp.run(variables={"index": index, "lr": 10 ** -(index % 5)}) as tracker:
            tracker.log_parameters(
                {f"p{j}": (index * 31 + j) % 97 / 7 for j in range(sizes.parameters)}
            )
            for step in range(sizes.steps):
                tracker.log_metrics(
                    {f"m{k}": ((index + 1) * (k + 1)) / (step + 1) for k in range(sizes.metrics)},
                    step=step,
                )
    trialbook.flush()


def generate_series(trialbook: Any, name: str, trials: int, steps: int) -> list[str]:
    exp = trialbook.Experiment.create(name, hypothesis="Series cost does not grow with length")
    for index in range(trials):
        with exp.run(variables={"index": index}) as tracker:
            log = tracker.log_metric
            for step in range(steps):
                log("loss", 1.0 / (step + 1) + index * 1e-3 + (step % 97) * 1e-4, step=step)
    trialbook.flush()
    return [trial.trial_name for trial in exp.list_trials()]


# -- floors: plain SQL + json.dumps -----------------------------------------------------------


def floor_table(database: Path, experiment: str, limit: int | None) -> bytes:
    """The same rows as the API (same fields, ISO times, compact JSON) the plainest way: one
    query per table, dicts, ``json.dumps``. What the floor skips is the API's rules: derived
    Interrupted status, metric-key clashes, merged parameter names, non-finite values."""
    connection = sqlite3.connect(database)
    try:
        trials = connection.execute(
            "SELECT t.id, t.name, t.variables, t.tags, t.notes, t.creation_time,"
            " t.last_activity FROM trials t JOIN experiments e ON e.id = t.experiment_id"
            " WHERE e.name = ? ORDER BY t.id LIMIT ?",
            (experiment, -1 if limit is None else limit),
        ).fetchall()
        rows: dict[int, dict[str, Any]] = {}
        for trial_id, name, variables, tags, notes, created, activity in trials:
            rows[trial_id] = {
                "name": name,
                "experiment_name": experiment,
                "variables": json.loads(variables),
                "tags": json.loads(tags),
                "notes": notes,
                "status": None,
                "creation_time": iso(created),
                "last_activity": iso(activity),
                "start_time": None,
                "end_time": None,
                "components": [],
                "parameters": {},
                "metrics": {},
                "objective_value": None,
                "provenance": None,
            }
        ids = list(rows)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for trial_id, name, status, started, ended, provenance in connection.execute(
                "SELECT tc.trial_id, c.name, c.status, c.start_time, c.end_time,"
                f" {ROW_PROVENANCE} FROM trial_components tc"
                f" JOIN components c ON c.id = tc.component_id WHERE tc.trial_id IN ({marks})",
                chunk,
            ):
                row = rows[trial_id]
                row["components"].append(name)
                row["status"] = status
                row["start_time"] = iso(started)
                row["end_time"] = iso(ended)
                row["provenance"] = json.loads(provenance) if provenance else None
            for trial_id, name, value in connection.execute(
                "SELECT tc.trial_id, p.name, p.value FROM trial_components tc JOIN parameters p"
                f" ON p.component_id = tc.component_id WHERE tc.trial_id IN ({marks})",
                chunk,
            ):
                rows[trial_id]["parameters"][name] = value
            for row in connection.execute(
                "SELECT tc.trial_id, s.name, s.min_value, s.max_value, s.mean, s.m2,"
                " s.finite_count, s.last_value, s.count FROM trial_components tc"
                " JOIN metric_series s"
                f" ON s.component_id = tc.component_id WHERE tc.trial_id IN ({marks})",
                chunk,
            ):
                rows[row[0]]["metrics"][row[1]] = {
                    "min": row[2],
                    "max": row[3],
                    "avg": row[4],
                    "stddev": (row[5] / row[6]) ** 0.5 if row[6] else None,
                    "last": row[7],
                    "count": row[8],
                }
        for row in rows.values():
            objective = row["metrics"].get("m0")
            row["objective_value"] = objective["min"] if objective else None
        return json.dumps(list(rows.values()), separators=(",", ":")).encode()
    finally:
        connection.close()


#: The provenance fields the API's trial rows leave out (the component detail has them).
ROW_PROVENANCE = (
    "json_remove(c.provenance, '$.packages', '$.cell_source', '$.argv', '$.python_executable',"
    " '$.pid', '$.captured_at', '$.trialbook', '$.python', '$.cwd')"
)


def iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def floor_series_raw(database: Path, trials: list[str]) -> bytes:
    """Every raw point of the series (what serving without downsampling would cost)."""
    connection = sqlite3.connect(database)
    try:
        result = []
        for trial in trials:
            rows = connection.execute(
                "SELECT p.step, p.value FROM trials t"
                " JOIN trial_components tc ON tc.trial_id = t.id"
                " JOIN metric_series s ON s.component_id = tc.component_id AND s.name = 'loss'"
                " JOIN metric_points p ON p.series_id = s.id WHERE t.name = ? ORDER BY p.seq",
                (trial,),
            ).fetchall()
            result.append({"trial": trial, "x": [r[0] for r in rows], "y": [r[1] for r in rows]})
        return json.dumps(result).encode()
    finally:
        connection.close()


# -- measuring ---------------------------------------------------------------------------------


def interleaved(
    repeats: int, operations: dict[str, Callable[[], bytes]]
) -> dict[str, tuple[float, int]]:
    """Best (minimum) seconds of each operation over ``repeats`` rounds after a warm-up round,
    the operations taking turns within a round, and each response's size. The minimum is the
    least disturbed by other processes on a shared machine."""
    sizes = {label: len(operation()) for label, operation in operations.items()}
    times: dict[str, list[float]] = {label: [] for label in operations}
    for _ in range(repeats):
        for label, operation in operations.items():
            started = time.perf_counter()
            operation()
            times[label].append(time.perf_counter() - started)
    return {label: (min(times[label]), sizes[label]) for label in operations}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store")
    arguments = parser.parse_args()
    sizes = Sizes(**(QUICK if arguments.quick else FULL))
    if arguments.quick:
        print("quick: a smoke run of every measure; sizes too small to judge the targets")
    workdir = Path(tempfile.mkdtemp(prefix="trialbook-bench-api-"))
    store = workdir / "trialbook.db"
    os.environ["TRIALBOOK_STORE"] = str(store)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import trialbook

    try:
        started = time.perf_counter()
        generate_table(trialbook, sizes)
        short = generate_series(trialbook, "bench-series-short", sizes.series, sizes.short_steps)
        long = generate_series(trialbook, "bench-series-long", sizes.series, sizes.long_steps)
        print(
            f"generated through the library in {time.perf_counter() - started:.1f} s: "
            f"{sizes.trials} trials × {sizes.parameters} parameters × {sizes.metrics} metrics × "
            f"{sizes.steps} steps; {sizes.series} series × {sizes.short_steps} and "
            f"× {sizes.long_steps} steps"
        )
        results: dict[str, tuple[float, int]] = {}
        points: dict[str, int] = {}
        with jupyter_server(store, workdir) as client:
            table = ("experiments", "bench-table", "trials")
            page = [("limit", PAGE)]
            sorted_page = [*page, ("sort", "metrics.m0.min"), ("order", "desc")]
            series = {
                label: [("trial", t) for t in trials]
                + [("name", "loss"), ("max_points", MAX_POINTS)]
                for label, trials in (("short", short), ("long", long))
            }
            # Interleaved, so load from other processes hits every measure alike.
            results.update(
                interleaved(
                    sizes.repeats,
                    {
                        "table whole (API)": lambda: client.api(*table),
                        "table whole (floor)": lambda: floor_table(store, "bench-table", None),
                        "table first page (API)": lambda: client.api(*table, params=page),
                        "table first page sorted by m0 min (API)": lambda: client.api(
                            *table, params=sorted_page
                        ),
                        "table first page (floor)": lambda: floor_table(store, "bench-table", PAGE),
                        "series short downsampled (API)": lambda: client.api(
                            "metrics", params=series["short"]
                        ),
                        "series long downsampled (API)": lambda: client.api(
                            "metrics", params=series["long"]
                        ),
                    },
                )
            )
            # After any write the column list is recomputed (it is cached per change cursor).
            cold = []
            for round_number in range(sizes.repeats):
                client.patch(("experiments", "bench-table"), {"notes": f"round {round_number}"})
                started = time.perf_counter()
                size = len(client.api(*table, params=page))
                cold.append(time.perf_counter() - started)
            results["table first page after a write (API)"] = (min(cold), size)
            for label, params in series.items():
                body = json.loads(client.api("metrics", params=params))
                points[label] = sum(len(item["y"]) for item in body["series"])
            results["series long raw points (floor, not downsampled)"] = interleaved(
                1, {"raw": lambda: floor_series_raw(store, long)}
            )["raw"]
        report(sizes, results, points)
    finally:
        trialbook.store.reset_store_cache()
        if arguments.keep:
            print(f"store kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(sizes: Sizes, results: dict[str, tuple[float, int]], points: dict[str, int]) -> None:
    width = max(len(label) for label in results)
    for label, (seconds, size) in results.items():
        print(f"{label:<{width}}  {seconds * 1000:9.1f} ms  {size / 1e6:8.2f} MB")
    for label, count in points.items():
        seconds = results[f"series {label} downsampled (API)"][0]
        print(
            f"series {label}: {count / sizes.series:.0f} points per series returned,"
            f" {seconds / count * 1e6:.2f} µs per point"
        )
    whole = results["table whole (API)"][0]
    ratios = [
        ("whole table / floor", whole / results["table whole (floor)"][0], "≤ 1.5"),
        ("first page / whole table", results["table first page (API)"][0] / whole, "≤ 0.10"),
        (
            "first page after a write / whole table",
            results["table first page after a write (API)"][0] / whole,
            "≤ 0.10",
        ),
        (
            "sorted first page / whole table",
            results["table first page sorted by m0 min (API)"][0] / whole,
            "≤ 0.10",
        ),
        (
            "first page / page floor",
            results["table first page (API)"][0] / results["table first page (floor)"][0],
            "-",
        ),
        (
            f"series {sizes.long_steps} / {sizes.short_steps} steps",
            results["series long downsampled (API)"][0]
            / results["series short downsampled (API)"][0],
            "≤ 1.5",
        ),
        (
            "series long downsampled / raw floor",
            results["series long downsampled (API)"][0]
            / results["series long raw points (floor, not downsampled)"][0],
            "-",
        ),
    ]
    print()
    for label, ratio, target in ratios:
        print(f"{label:<42} {ratio:7.3f}   target {target}")


if __name__ == "__main__":
    raise SystemExit(main())
