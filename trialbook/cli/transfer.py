"""``sync`` and ``import mlflow``: moving records between stores and in from MLflow."""

from __future__ import annotations

import click

from trialbook.cli import exit_codes
from trialbook.cli.context import CommandError, Options, emit, locate, open_location, progress
from trialbook.cli.mlflow_import import MlflowImporter, open_client
from trialbook.cli.sync import Synchronizer, SyncReport

_COUNTERS = (
    "experiments",
    "trials",
    "components",
    "associations",
    "parameters",
    "artifacts",
    "points",
    "statuses",
    "tags",
)


@click.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@click.option(
    "--experiment",
    "experiments",
    multiple=True,
    metavar="NAME",
    help="Only this experiment (repeatable). Default: everything in SRC.",
)
@click.pass_obj
def sync(options: Options, source: str, destination: str, experiments: tuple[str, ...]) -> None:
    """Copy everything new in store SRC into store DST (paths or URLs).

    Safe to repeat and to interrupt: a second run adds nothing, a killed run resumes where it
    stopped. Records that differ in DST are reported as conflicts (exit 4), never overwritten.
    """
    source_location, destination_location = locate(source), locate(destination)
    if source_location.url == destination_location.url:
        raise CommandError("SRC and DST are the same store; nothing to do.", exit_codes.USAGE)
    source_store = open_location(source_location, must_exist=True)
    destination_store = open_location(destination_location, must_exist=False)
    try:
        synchronizer = Synchronizer(source_store, destination_store, experiment_names=experiments)
        with progress(options, synchronizer.plan(), "Copying metric points") as bar:
            synchronizer.on_points = bar.update
            report = synchronizer.run()
    finally:
        source_store.close()
        destination_store.close()
    finish(
        options, report, f"Synced {source_location.describe()} → {destination_location.describe()}"
    )


def finish(options: Options, report: SyncReport, title: str) -> None:
    """Print the report; exit 4 when there were conflicts."""

    def render() -> None:
        counts = ", ".join(
            f"{getattr(report, key)} {key}" for key in _COUNTERS if getattr(report, key)
        )
        click.echo(f"{title}: added {counts}." if counts else f"{title}: nothing new to add.")
        for conflict in report.conflicts:
            click.echo(f"Conflict: {conflict.describe()}", err=True)
        if report.conflicts:
            click.echo(
                f"{len(report.conflicts)} conflict(s) left untouched: rename or delete one side "
                "(or leave it), then run the command again.",
                err=True,
            )

    emit(options, {"added": report.added(), **report.to_dict()}, render)
    if report.conflicts:
        raise SystemExit(exit_codes.CONFLICT)


@click.group("import")
def import_group() -> None:
    """Import experiments from another tracker."""


@import_group.command("mlflow")
@click.option(
    "--tracking-uri",
    required=True,
    metavar="URI",
    help="MLflow tracking URI: sqlite:///mlflow.db, a ./mlruns folder, or a server URL.",
)
@click.option(
    "--experiment", "experiments", multiple=True, metavar="NAME", help="Only this (repeatable)."
)
@click.pass_obj
def import_mlflow(options: Options, tracking_uri: str, experiments: tuple[str, ...]) -> None:
    """Import MLflow experiments and runs (needs: pip install 'trialbook[mlflow]')."""
    try:
        from mlflow.exceptions import MlflowException
    except ImportError:
        raise CommandError(
            "Importing from MLflow needs MLflow: pip install 'trialbook[mlflow]'.",
            exit_codes.MISSING_DEPENDENCY,
        ) from None
    store = options.open(must_exist=False)
    try:
        importer = MlflowImporter(open_client(tracking_uri), store, experiment_names=experiments)
        found = importer.experiments()
        total = sum(len(importer.runs(experiment)) for experiment in found)
        with progress(options, total, "Importing MLflow runs") as bar:
            importer.on_run = lambda: bar.update(1)
            report = importer.run(found)
    except MlflowException as error:
        raise CommandError(
            f"MLflow could not read {tracking_uri!r}: {error.message.strip()} — check "
            "--tracking-uri (sqlite:///path/mlflow.db, a ./mlruns folder or "
            "http://server:5000); what was imported before the error is kept, so run the "
            "command again once it is fixed.",
            exit_codes.ERROR,
        ) from None
    finish(options, report, f"Imported from MLflow {tracking_uri}")
