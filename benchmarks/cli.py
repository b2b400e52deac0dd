"""Benchmark `trialbook sync` and `trialbook import mlflow` against floors from the same run.

  sync:   N metric points (10 trials × N/10 points, then 1,000 trials × N/1,000 points; quick:
          10 and 100 trials) from one SQLite store into a new one, against the
          floor of reading the same series from the source and appending them to a fresh
          store through the same Store write path (summaries, buckets, change feed); then a
          second, no-op sync.
  import: R MLflow runs (3 params, 2 metrics × 20 steps, 1 artifact each) on MLflow's SQLite
          backend, against the floor of MLflow merely reading them (search_runs,
          get_metric_history, listing and downloading artifacts from the run's artifact
          repository). Skipped when mlflow is not installed.

Usage: python benchmarks/cli.py [--quick]   (full: 1,000,000 points, 1,000 runs)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trialbook.cli.mlflow_import import (
    MlflowImporter,
    artifact_files,
    artifact_repository,
    open_client,
)
from trialbook.cli.sync import Synchronizer
from trialbook.store import Store, create_store, resolve_store_location


def store_at(path: Path) -> Store:
    return create_store(resolve_store_location(str(path)))


def fill_source(store: Store, points: int, components: int) -> None:
    per_component = points // components
    experiment = store.create_experiment(
        "bench",
        description="sync benchmark",
        hypothesis=None,
        objective=None,
        variables=None,
        tags={},
    )
    for index in range(components):
        name = f"bench-{index}"
        store.create_trial(
            name,
            experiment_name=experiment.name,
            variables={"i": index},
            identity=f'{{"i":{index}}}',
            tags={},
        )
        store.create_component(
            name + "-training", display_name=None, kind="training", tags={}, provenance=None
        )
        store.associate(name, name + "-training")
        if per_component:
            batch = [(step, 1.7e9 + step, 1.0 / (step + 1)) for step in range(per_component)]
            store.append_metric_points({(name + "-training", "loss"): batch})


def copy_points_floor(source: Store, folder: Path, components: int) -> float:
    """Seconds to read every series from ``source`` and append it to a store holding the same
    records, in the batches sync uses."""
    floor_store = store_at(folder / "trialbook.db")
    fill_source(floor_store, 0, components)  # same records, no points
    started = time.perf_counter()
    for index in range(components):
        series = source.metric_points(f"bench-{index}-training", "loss")
        rows = list(zip(series.steps, series.times, series.values, strict=True))
        for start in range(0, len(rows), 50_000):
            floor_store.append_metric_points(
                {(f"bench-{index}-training", "loss"): rows[start : start + 50_000]}
            )
    return time.perf_counter() - started


def time_sync(folder: Path, points: int, components: int) -> None:
    folder = folder / f"sync-{components}"
    source = store_at(folder / "source" / "trialbook.db")
    fill_source(source, points, components)

    # the floor before and after the sync, keeping the faster: the first read of a freshly
    # written store pays for its write-ahead log, whichever copy comes first
    floor_before = copy_points_floor(source, folder / "floor-1", components)
    destination = store_at(folder / "team" / "trialbook.db")
    started = time.perf_counter()
    report = Synchronizer(source, destination).run()
    first = time.perf_counter() - started
    assert report.points == points - points % components, report
    started = time.perf_counter()
    again = Synchronizer(source, destination).run()
    second = time.perf_counter() - started
    assert again.added() == 0, again
    floor = min(floor_before, copy_points_floor(source, folder / "floor-2", components))

    copied = report.points
    print(f"sync {copied:,} points ({components:,} trials of one component and one series):")
    print(f"  sync (first run)        {first:8.2f} s   {copied / first:12,.0f} points/s")
    print(f"  floor (read + append)   {floor:8.2f} s   {copied / floor:12,.0f} points/s")
    print("  (the floor copies points only; sync also creates the records)")
    print(f"  sync / floor            {first / floor:8.2f} x")
    print(f"  second sync (adds 0)    {second:8.2f} s")


def make_mlflow_runs(client: object, runs: int, folder: Path) -> None:
    from mlflow.entities import Metric, Param

    artifact = folder / "model.txt"
    artifact.write_text("weights")
    experiment_id = client.create_experiment(
        "bench",
        artifact_location=(folder / "mlartifacts").as_uri(),
        tags={"mlflow.note.content": "A higher learning rate converges faster"},
    )
    for index in range(runs):
        run = client.create_run(experiment_id, run_name=f"run{index}", start_time=1_700_000_000_000)
        metrics = [
            Metric(key, 1.0 / (step + 1), 1_700_000_000_000 + step * 1000, step)
            for key in ("loss", "accuracy")
            for step in range(20)
        ]
        params = [Param("lr", str(0.001 * (index + 1))), Param("batch", "32"), Param("opt", "adam")]
        client.log_batch(run.info.run_id, metrics=metrics, params=params)
        client.log_artifact(run.info.run_id, str(artifact))
        client.set_terminated(run.info.run_id, "FINISHED")


def time_import(folder: Path, runs: int) -> None:
    try:
        import mlflow  # noqa: F401
    except ImportError:
        print("import: skipped (mlflow is not installed; pip install 'trialbook[mlflow]')")
        return
    warnings.filterwarnings("ignore")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    client = open_client(uri)
    started = time.perf_counter()
    make_mlflow_runs(client, runs, folder)
    create = time.perf_counter() - started

    started = time.perf_counter()
    experiment = client.get_experiment_by_name("bench")
    reader = MlflowImporter(client, store_at(folder / "unused.db"))
    with tempfile.TemporaryDirectory() as scratch:
        for run in reader.runs(experiment):
            for key in run.data.metrics:
                client.get_metric_history(run.info.run_id, key)
            repository = artifact_repository(run)
            for path, _size in artifact_files(repository):
                repository.download_artifacts(path, scratch)
    floor = time.perf_counter() - started

    store = store_at(folder / "imported" / "trialbook.db")
    started = time.perf_counter()
    report = MlflowImporter(client, store).run()
    first = time.perf_counter() - started
    assert report.trials == runs and not report.conflicts, report
    started = time.perf_counter()
    again = MlflowImporter(client, store).run()
    second = time.perf_counter() - started
    assert again.added() == 0, again

    print(f"import {runs:,} MLflow runs (3 params, 2 metrics x 20 steps, 1 artifact each):")
    print(f"  creating them in MLflow {create:8.2f} s   (for scale)")
    print(f"  import (first run)      {first:8.2f} s   {runs / first:8.1f} runs/s")
    print(f"  floor (MLflow reads)    {floor:8.2f} s   {runs / floor:8.1f} runs/s")
    print(f"  import / floor          {first / floor:8.2f} x")
    print(f"  second import (adds 0)  {second:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (a few seconds)")
    arguments = parser.parse_args()
    # Quick: a smoke run of every path, too small to judge the ratios.
    points, runs = (10_000, 3) if arguments.quick else (1_000_000, 1_000)
    if arguments.quick:
        print("quick: a smoke run of every path; sizes too small to judge the ratios")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    with tempfile.TemporaryDirectory(prefix="trialbook-cli-bench-") as folder:
        for components in (10, 1_000 if not arguments.quick else 100):
            time_sync(Path(folder), points, components)
        time_import(Path(folder), runs)


if __name__ == "__main__":
    main()
