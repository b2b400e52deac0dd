"""``doctor``: where the store is, what it holds, what is installed and enabled — with fixes."""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from trialbook.cli import exit_codes, store_probe
from trialbook.cli.context import CommandError, Options, emit, open_location
from trialbook.errors import TrialbookError
from trialbook.store.location import STORE_VARIABLE

PACKAGES = ("trialbook", "jupyterlab", "jupyter_server", "ipykernel", "pandas", "mlflow")


@click.command()
@click.pass_obj
def doctor(options: Options) -> None:
    """Check the store and the JupyterLab installation; print each problem with its fix."""
    problems: list[dict[str, str]] = []
    report: dict[str, Any] = {
        "store": _store_section(options, problems),
        "versions": _versions(problems),
        "extensions": _extensions(problems),
        "python": sys.executable,
    }
    report["problems"] = problems
    emit(options, report, lambda: _render(report))
    if problems:
        raise SystemExit(exit_codes.PROBLEMS_FOUND)


def _store_section(options: Options, problems: list[dict[str, str]]) -> dict[str, Any]:
    location = options.location()
    source = (
        "--store"
        if options.store
        else (STORE_VARIABLE if os.environ.get(STORE_VARIABLE) else "default")
    )
    section: dict[str, Any] = {
        "location": location.describe(),
        "kind": location.kind,
        "chosen_by": source,
        "artifact_root": str(location.artifact_root),
    }
    network = store_probe.network_filesystem(location)
    section["network_filesystem"] = network
    if network:
        problems.append(
            {
                "problem": f"The store's directory is on a network filesystem ({network}); "
                "SQLite is not safe there.",
                "fix": f"export {STORE_VARIABLE}=/path/on/local/disk/trialbook.db (or a "
                "postgresql:// URL for a shared store)",
            }
        )
        return section
    if location.path is not None and not location.path.exists():
        section["exists"] = False
        problems.append(
            {
                "problem": f"No store at {location.describe()} yet.",
                "fix": "Nothing to fix if you have not logged anything yet; otherwise point "
                f"--store or {STORE_VARIABLE} at the store your training writes.",
            }
        )
        return section
    section["exists"] = True
    try:
        state = store_probe.schema_state(location)
        section["schema_version"] = state.version
        section["schema_state"] = state.state
        section["database_bytes"] = store_probe.database_bytes(location)
        if state.state == "upgrade-needed":
            problems.append(
                {"problem": "The store's schema is old.", "fix": "trialbook db upgrade"}
            )
            return section
        if state.state == "newer-than-trialbook":
            problems.append(
                {
                    "problem": "The store was written by a newer Trialbook.",
                    "fix": f"{sys.executable} -m pip install --upgrade trialbook",
                }
            )
            return section
        store = open_location(location, must_exist=True)
        try:
            summaries = store.list_experiment_summaries()
            section["experiments"] = len(summaries)
            section["trials"] = sum(row["trial_count"] for row in summaries)
            section["components"] = len(store.list_components())
            section["latest_change"] = store.latest_change_cursor()
        finally:
            store.close()
    except (TrialbookError, CommandError) as error:
        message = error.message if isinstance(error, CommandError) else str(error)
        problems.append({"problem": message, "fix": "See the message; then run doctor again."})
    return section


def _versions(problems: list[dict[str, str]]) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    if versions["jupyterlab"] is None:
        problems.append(
            {
                "problem": "JupyterLab is not installed in this environment.",
                "fix": f"{sys.executable} -m pip install 'trialbook[lab]'",
            }
        )
    return versions


def _extensions(problems: list[dict[str, str]]) -> dict[str, Any]:
    """Read the same configuration JupyterLab and Jupyter Server read at start-up."""
    result: dict[str, Any] = {
        "lab": _lab_extension_enabled(),
        "server": _server_extension_enabled(),
    }
    if result["lab"] is False:
        problems.append(
            {
                "problem": "The Trialbook JupyterLab extension is missing or disabled.",
                "fix": "jupyter labextension enable trialbook  (if it is missing: "
                f"{sys.executable} -m pip install --force-reinstall trialbook)",
            }
        )
    if result["server"] is False:
        problems.append(
            {
                "problem": "The Trialbook server extension is not enabled.",
                "fix": "jupyter server extension enable trialbook",
            }
        )
    return result


def _lab_extension_enabled() -> bool | None:
    """Installed in a labextensions folder and not listed in a page_config's disabled ones."""
    try:
        from jupyter_core.paths import jupyter_config_path, jupyter_path
    except ImportError:
        return None
    installed = any(
        (Path(folder) / "trialbook" / "package.json").is_file()
        for folder in jupyter_path("labextensions")
    )
    disabled = False
    for folder in jupyter_config_path():
        page_config = Path(folder) / "labconfig" / "page_config.json"
        try:
            data = json.loads(page_config.read_text())
        except (OSError, ValueError):
            continue
        disabled = disabled or bool((data.get("disabledExtensions") or {}).get("trialbook"))
    return installed and not disabled


def _server_extension_enabled() -> bool | None:
    try:
        from jupyter_core.paths import jupyter_config_path
        from jupyter_server.extension.config import ExtensionConfigManager
    except ImportError:  # no Jupyter Server here (a training node): nothing to check
        return None
    manager = ExtensionConfigManager(read_config_path=jupyter_config_path())
    return bool(manager.get_jpserver_extensions().get("trialbook"))


def _render(report: dict[str, Any]) -> None:
    store = report["store"]
    click.echo(f"Store: {store['location']} ({store['kind']}, chosen by {store['chosen_by']})")
    click.echo(f"  artifacts: {store['artifact_root']}")
    if store.get("exists"):
        click.echo(
            f"  schema {store.get('schema_version')} ({store.get('schema_state')}), "
            f"{store.get('database_bytes', 0)} bytes"
        )
        if "experiments" in store:
            click.echo(
                f"  {store['experiments']} experiments, {store['trials']} trials, "
                f"{store['components']} components"
            )
    click.echo("Versions:")
    for package, version in report["versions"].items():
        click.echo(f"  {package}: {version or 'not installed'}")
    extensions = report["extensions"]
    for key, label in (("lab", "JupyterLab extension"), ("server", "Server extension")):
        value = extensions[key]
        state = (
            "not checked (Jupyter not installed)"
            if value is None
            else ("enabled" if value else "NOT enabled")
        )
        click.echo(f"{label}: {state}")
    if not report["problems"]:
        click.echo("No problems found.")
    for problem in report["problems"]:
        click.echo(f"Problem: {problem['problem']}\n  Fix: {problem['fix']}")
