"""``gc`` and ``db``: keeping a store small and its schema current."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from trialbook.cli import exit_codes, store_probe
from trialbook.cli.context import CommandError, Options, emit, open_location
from trialbook.store import Store

#: Files younger than this are left alone: another process may be about to record them.
GRACE_SECONDS = 3600.0


@click.command()
@click.option("--yes", is_flag=True, help="Act. Without it gc only shows what it would do.")
@click.option(
    "--no-vacuum", is_flag=True, help="Skip VACUUM/ANALYZE (they lock the store briefly)."
)
@click.pass_obj
def gc(options: Options, yes: bool, no_vacuum: bool) -> None:
    """Remove artifact files no record refers to and stale temporary files; VACUUM/ANALYZE.

    A dry run by default: add --yes to act.
    """
    location = options.location()
    store = open_location(location, must_exist=True)
    try:
        garbage = find_garbage(store)
    finally:
        store.close()
    freed = sum(item["bytes"] for item in garbage)
    before = store_probe.database_bytes(location)
    if yes:
        for item in garbage:
            Path(item["path"]).unlink(missing_ok=True)
            _remove_empty_parents(Path(item["path"]).parent, store.artifact_root)
        if not no_vacuum:
            store_probe.vacuum_and_analyze(location)
    after = store_probe.database_bytes(location)
    result = {
        "dry_run": not yes,
        "files": garbage,
        "file_bytes": freed,
        "vacuum": not no_vacuum,
        "database_bytes_before": before,
        "database_bytes_after": after,
    }

    def render() -> None:
        verb = "Removed" if yes else "Would remove"
        for item in garbage:
            click.echo(f"{verb} {item['reason']}: {item['path']} ({item['bytes']} bytes)")
        click.echo(f"{verb} {len(garbage)} file(s), {freed} bytes.")
        if not no_vacuum:
            if yes:
                click.echo(f"VACUUM + ANALYZE: database {before} → {after} bytes.")
            else:
                click.echo("Would VACUUM + ANALYZE the database.")
        if not yes:
            click.echo("This was a dry run: add --yes to act.")

    emit(options, result, render)


def find_garbage(store: Store) -> list[dict[str, Any]]:
    """Artifact files no record refers to, and abandoned ``.incoming-*`` copies."""
    objects = store.artifact_root / "objects"
    if not objects.is_dir():
        return []
    referenced = set()
    for component in store.list_components():
        for artifact in [*component.input_artifacts.values(), *component.output_artifacts.values()]:
            file = store.artifact_file(artifact)
            if file is not None:
                referenced.add(file)
    cutoff = time.time() - GRACE_SECONDS
    garbage = []
    for path in sorted(objects.rglob("*")):
        if not path.is_file() or path.resolve() in referenced:
            continue
        stat = path.stat()
        if stat.st_mtime > cutoff:
            continue  # maybe being written or recorded right now
        reason = "temporary file" if path.name.startswith(".incoming-") else "unreferenced artifact"
        garbage.append({"path": str(path), "bytes": stat.st_size, "reason": reason})
    return garbage


def _remove_empty_parents(directory: Path, root: Path) -> None:
    objects = (root / "objects").resolve()
    while directory.resolve() != objects and directory.resolve().is_relative_to(objects):
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


@click.group()
def db() -> None:
    """The store's schema version and migrations."""


@db.command("status")
@click.pass_obj
def db_status(options: Options) -> None:
    """Show the schema version; exit 6 when `trialbook db upgrade` (or a newer Trialbook) is
    needed."""
    location = options.location()
    state = store_probe.schema_state(location)
    result = {
        "store": location.describe(),
        "schema_version": state.version,
        "supported_version": state.supported,
        "state": state.state,
        "pending_migrations": max(state.supported - (state.version or 0), 0),
    }

    def render() -> None:
        click.echo(f"Store: {result['store']}")
        if state.version is None:
            click.echo("No store there yet; it is created on first use.")
            return
        click.echo(f"Schema version {state.version} (this Trialbook: {state.supported}).")
        if state.state == "upgrade-needed":
            click.echo(f"{result['pending_migrations']} migration(s) pending: trialbook db upgrade")
        elif state.state == "newer-than-trialbook":
            click.echo("Written by a newer Trialbook: pip install --upgrade trialbook")
        else:
            click.echo("Up to date.")

    emit(options, result, render)
    if state.state in ("upgrade-needed", "newer-than-trialbook"):
        raise SystemExit(exit_codes.STORE_VERSION)


@db.command("upgrade")
@click.pass_obj
def db_upgrade(options: Options) -> None:
    """Apply pending migrations (each in one transaction; safe with writers running)."""
    location = options.location()
    if location.kind == "postgresql":  # an empty database is set up here too
        start, end = store_probe.upgrade_postgres(location)
        emit(
            options,
            {"store": location.describe(), "from": start, "to": end},
            lambda: click.echo(
                f"Schema {start} → {end}" if start != end else f"Already at schema {end}."
            ),
        )
        return
    before = store_probe.schema_state(location)
    if before.version is None:
        raise CommandError(
            f"No store at {location.describe()}; nothing to upgrade.", exit_codes.NOT_FOUND
        )
    open_location(location, must_exist=True).close()  # opening migrates
    after = store_probe.schema_state(location)
    result = {"store": location.describe(), "from": before.version, "to": after.version}
    emit(
        options,
        result,
        lambda: click.echo(
            f"Schema {before.version} → {after.version}"
            if before.version != after.version
            else f"Already at schema {after.version}; nothing to do."
        ),
    )
