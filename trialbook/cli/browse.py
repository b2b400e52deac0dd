"""``ls``, ``show`` and ``export``: reading a store from a terminal."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import click

import trialbook
from trialbook.cli import exit_codes
from trialbook.cli.context import CommandError, Options, cell_text, emit, table, timestamp
from trialbook.errors import NotFoundError
from trialbook.status import ALL_STATUSES
from trialbook.store import Store, TrialQuery

ENTITY_KINDS = ("experiment", "trial", "component")


@click.command()
@click.argument("experiment", required=False)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(ALL_STATUSES),
    help="Only trials with this status (repeatable).",
)
@click.option(
    "--query",
    "-q",
    "query",
    help="Only trials this query matches, e.g. 'lr < 0.01 and metrics.loss.min < 0.2' "
    "(docs/query.md); without EXPERIMENT, across every experiment.",
)
@click.pass_obj
def ls(
    options: Options, experiment: str | None, statuses: tuple[str, ...], query: str | None
) -> None:
    """List experiments, or the trials of EXPERIMENT (or, with --query, of every experiment)."""
    store = options.open()
    trial_query = TrialQuery(statuses=list(statuses), query=query)
    if experiment is None and query is None:
        if statuses:
            raise CommandError(
                "--status filters trials: give an EXPERIMENT or a --query", exit_codes.USAGE
            )
        summaries = store.list_experiment_summaries()
        emit(options, summaries, lambda: _experiment_table(summaries))
        return
    if experiment is None:
        trials = store.all_trials_table(trial_query).rows
    else:
        trials = store.trial_table(experiment, trial_query).rows
    emit(options, trials, lambda: _trial_table(trials))


def _experiment_table(summaries: list[dict[str, Any]]) -> None:
    if not summaries:
        click.echo("No experiments yet.")
        return
    table(
        ["NAME", "TRIALS", "STATUS", "LAST ACTIVITY", "HYPOTHESIS"],
        [
            (
                row["name"],
                row["trial_count"],
                row["status"],
                timestamp(row["last_activity"]),
                row["hypothesis"] or row["description"],
            )
            for row in summaries
        ],
    )


def _trial_table(trials: list[dict[str, Any]]) -> None:
    if not trials:
        click.echo("No trials match.")
        return
    table(
        ["NAME", "STATUS", "VARIABLES", "OBJECTIVE", "LAST ACTIVITY"],
        [
            (
                row["name"],
                row["status"],
                row["variables"],
                row["objective_value"],
                timestamp(row["last_activity"]),
            )
            for row in trials
        ],
    )


@click.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(ENTITY_KINDS), help="When NAME is ambiguous.")
@click.pass_obj
def show(options: Options, name: str, kind: str | None) -> None:
    """Show an experiment, trial or trial component in full."""
    store = options.open()
    found = find_entity(store, name, kind)
    emit(options, found, lambda: _render_entity(found))


def find_entity(store: Store, name: str, kind: str | None) -> dict[str, Any]:
    """The experiment, trial or component called ``name``, with an ``entity_type`` key."""
    readers = {
        "experiment": lambda: _experiment_detail(store, name),
        "trial": lambda: store.trial_detail(name),
        "component": lambda: store.component_detail(name),
    }
    matches: list[dict[str, Any]] = []
    for entity_kind in (kind,) if kind else ENTITY_KINDS:
        try:
            matches.append({"entity_type": entity_kind, **readers[entity_kind]()})
        except NotFoundError:
            continue
    if not matches:
        what = kind or "experiment, trial or component"
        raise CommandError(
            f"No {what} named {name!r} in the store; `trialbook ls` lists experiments and "
            "`trialbook ls EXPERIMENT` its trials.",
            exit_codes.NOT_FOUND,
        )
    found = matches[0]
    if len(matches) > 1:
        found["also"] = [match["entity_type"] for match in matches[1:]]
    return found


def _experiment_detail(store: Store, name: str) -> dict[str, Any]:
    detail = store.experiment_summary(name)
    detail["trials"] = [
        {
            key: row[key]
            for key in ("name", "status", "variables", "objective_value", "last_activity")
        }
        for row in store.trial_rows(name)
    ]
    return detail


def _render_entity(found: dict[str, Any]) -> None:
    kind = found["entity_type"]
    click.secho(f"{kind.capitalize()} {found['name']}", bold=True)
    if kind == "experiment":
        _fields(found, ["description", "hypothesis", "objective"])
        for variable, spec in (found.get("variables") or {}).items():
            click.echo(f"  variable {variable}: {_describe_variable(spec)}")
        _fields(found, ["tags", "notes"])
        _fields(found, ["status", "trial_count"])
        _times(found, ["creation_time", "last_activity"])
        if found["trials"]:
            click.echo()
            _trial_table(found["trials"])
    elif kind == "trial":
        _fields(found, ["experiment_name", "status", "variables", "tags", "notes"])
        _times(found, ["creation_time", "last_activity"])
        for component in found["components"]:
            click.echo()
            click.secho(f"Component {component['name']}", bold=True)
            _render_component(component)
    else:
        _render_component(found)
    for other in found.get("also", []):
        click.echo(f"\n(There is also a {other} of this name: add --kind {other}.)")


def _describe_variable(spec: dict[str, Any]) -> str:
    if spec.get("type") == "choice":
        return "one of " + ", ".join(repr(value) for value in spec["values"])
    steps = f", {spec['num']} values" if spec.get("num") else ""
    kind = "integers" if spec.get("integer") else spec.get("scale", "linear")
    return f"{spec.get('low')} … {spec.get('high')} ({kind}{steps})"


def _render_component(component: dict[str, Any]) -> None:
    _fields(component, ["display_name", "kind", "status", "status_message", "tags"])
    _times(component, ["start_time", "end_time", "heartbeat_time"])
    if component.get("trials"):
        trials = [f"{trial['name']} ({trial['experiment_name']})" for trial in component["trials"]]
        click.echo(f"  trials: {', '.join(trials)}")
    if component["parameters"]:
        click.echo("  parameters:")
        for key, value in component["parameters"].items():
            click.echo(f"    {key} = {value!r}")
    if component["metrics"]:
        click.echo("  metrics:")
        table(
            ["METRIC", "COUNT", "MIN", "MAX", "AVG", "STDDEV", "LAST", "LAST STEP"],
            [
                (
                    metric,
                    summary["count"],
                    summary["min"],
                    summary["max"],
                    summary["avg"],
                    summary["stddev"],
                    summary["last"],
                    summary["last_step"],
                )
                for metric, summary in component["metrics"].items()
            ],
            indent="    ",
        )
    for direction in ("input", "output"):
        artifacts = component[f"{direction}_artifacts"]
        if artifacts:
            click.echo(f"  {direction} artifacts:")
            for key, artifact in artifacts.items():
                media = f" ({artifact['media_type']})" if artifact["media_type"] else ""
                click.echo(f"    {key}: {artifact['value']}{media}")
    if component["provenance"]:
        click.echo("  provenance:")
        for key, value in component["provenance"].items():
            if key == "packages":
                click.echo(f"    packages: {len(value)} recorded (see --json)")
            elif key.endswith("_at") and isinstance(value, (int, float)):
                click.echo(f"    {key}: {timestamp(value)} UTC")
            else:
                click.echo(f"    {key}: {cell_text(value, 100)}")


def _fields(record: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        if record.get(key) not in (None, {}, ""):
            click.echo(f"  {key}: {cell_text(record[key], 200)}")


def _times(record: dict[str, Any], keys: list[str]) -> None:
    for key in keys:
        if record.get(key) is not None:
            click.echo(f"  {key}: {timestamp(record[key])} UTC")


@click.command()
@click.argument("experiment")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "json", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--metrics",
    type=click.Choice(["long"]),
    help="Export every metric point (TrialComponentName, Trials, metric, step, timestamp, "
    "value) instead of one row per trial.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@click.pass_obj
def export(
    options: Options, experiment: str, file_format: str, metrics: str | None, output: Path | None
) -> None:
    """Export EXPERIMENT's trials (the columns of exp.dataframe()) or its metric points."""
    options.open()
    if file_format == "parquet":
        _require_pyarrow()
        if output is None and sys.stdout.isatty():
            raise CommandError(
                "Parquet is binary: give -o FILE.parquet (or redirect stdout).", exit_codes.USAGE
            )
    if metrics == "long":
        frame = trialbook.ExperimentAnalytics(experiment).metrics_dataframe()
    else:
        frame = trialbook.Experiment.load(experiment).dataframe()
    data = _serialize(frame, file_format)
    if output is None:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    output.write_bytes(data)
    summary = {"path": str(output), "format": file_format, "rows": len(frame)}
    summary["columns"] = [str(column) for column in frame.columns]
    emit(options, summary, lambda: click.echo(f"Wrote {len(frame)} rows to {output}", err=True))


def _serialize(frame: Any, file_format: str) -> bytes:
    if file_format == "csv":
        return frame.to_csv(index=False).encode()
    if file_format == "json":
        return (frame.to_json(orient="records", date_format="iso", indent=2) + "\n").encode()
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise CommandError(
            "Parquet export needs pyarrow: pip install pyarrow (or use --format csv|json).",
            exit_codes.MISSING_DEPENDENCY,
        ) from None
