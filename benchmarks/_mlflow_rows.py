"""The trials of a Trialbook scale store as MLflow runs: MLflow creates its schema (through
its own client, in the Python that has it), then the rows go in with plain ``sqlite3``, as
``scale.py`` writes Trialbook's (through ``log_*`` 100,000 runs would take hours)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

_CREATE = (
    "import sys; from mlflow.tracking import MlflowClient;"
    " MlflowClient(tracking_uri=sys.argv[1]).create_experiment('scale')"
)


def write_mlflow_runs(python: str, trialbook_database: Path, target: Path) -> str:
    """MLflow's SQLite store at ``target`` holding every trial of the Trialbook store as a
    FINISHED run with its parameters and metrics; its tracking URI."""
    uri = f"sqlite:///{target}"
    if not target.exists():
        subprocess.run([python, "-c", _CREATE, uri], check=True, capture_output=True)
    mlflow = sqlite3.connect(target)
    known = mlflow.execute("SELECT count(*) FROM runs").fetchone()[0]
    source = sqlite3.connect(trialbook_database)
    trials = source.execute(
        "SELECT t.id, t.name, tc.component_id FROM trials t"
        " JOIN trial_components tc ON tc.trial_id = t.id ORDER BY t.id"
    ).fetchall()[known:]
    components = {component: f"{trial:032x}" for trial, _, component in trials}
    with mlflow:
        mlflow.executemany(
            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name,"
            " user_id, status, start_time, end_time, source_version, lifecycle_stage,"
            " artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED',"
            " 0, 0, '', 'active', '', 1)",
            [(f"{trial:032x}", name) for trial, name, _ in trials],
        )
        first = min(components, default=0)
        mlflow.executemany(
            "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
            (
                (name, str(value), components[component])
                for component, name, value in source.execute(
                    "SELECT component_id, name, value FROM parameters WHERE component_id >= ?",
                    (first,),
                )
                if component in components
            ),
        )
        metrics = [
            (name, value, components[component])
            for component, name, value in source.execute(
                "SELECT component_id, name, last_value FROM metric_series WHERE component_id >= ?",
                (first,),
            )
            if component in components
        ]
        for table in ("metrics", "latest_metrics"):
            mlflow.executemany(
                f"INSERT INTO {table} (key, value, timestamp, step, is_nan, run_uuid)"
                " VALUES (?, ?, 0, 0, 0, ?)",
                metrics,
            )
    mlflow.close()
    source.close()
    return uri
