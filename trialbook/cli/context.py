"""What every command shares: the chosen store, JSON or human output, and errors → exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import click

from trialbook.cli import exit_codes
from trialbook.errors import NotFoundError
from trialbook.store import Store, StoreLocation, create_store, resolve_store_location
from trialbook.store.location import STORE_VARIABLE
from trialbook.wire import json_safe


class CommandError(click.ClickException):
    """An error the user can act on: printed as ``Error: <message>`` with an exit code."""

    def __init__(self, message: str, exit_code: int = exit_codes.ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Options:
    """The group's options, available to every command as ``ctx.obj``."""

    store: str | None
    json: bool

    def location(self) -> StoreLocation:
        return locate(self.store)

    def open(self, *, must_exist: bool = True) -> Store:
        """Open the chosen store; it is also exported so the public API uses the same one."""
        location = self.location()
        os.environ[STORE_VARIABLE] = location.url
        return open_location(location, must_exist=must_exist)


def locate(raw: str | None) -> StoreLocation:
    try:
        return resolve_store_location(raw)
    except ValueError as error:
        raise CommandError(str(error), exit_codes.USAGE) from None


def open_location(location: StoreLocation, *, must_exist: bool) -> Store:
    """A new store object; a missing SQLite file is "not found" unless the command creates one."""
    if must_exist and location.path is not None and not location.path.exists():
        raise CommandError(
            f"No Trialbook store at {location.describe()}. Check --store (or ${STORE_VARIABLE}); "
            "`trialbook doctor` shows which store is used by default.",
            exit_codes.NOT_FOUND,
        )
    return create_store(location)


def emit(options: Options, data: Any, render: Callable[[], None]) -> None:
    """Print ``data`` as JSON with --json, else call the human renderer."""
    if options.json:
        click.echo(json.dumps(json_safe(data), indent=2, default=str, ensure_ascii=False))
    else:
        render()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "") -> None:
    """A plain aligned text table (no colour: pipes and logs stay readable)."""
    cells = [[cell_text(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=False)]
    line = "  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=False))
    click.echo(indent + line.rstrip())
    click.echo(indent + "  ".join("-" * width for width in widths))
    for row in cells:
        text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        click.echo(indent + text.rstrip())


def cell_text(value: Any, limit: int = 60) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, dict):
        text = ", ".join(f"{key}={cell_text(item, 20)}" for key, item in value.items())
    else:
        text = str(value)
    text = " ".join(text.split())  # one line per row, whatever the content
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timestamp(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def progress(options: Options, length: int, label: str) -> Any:
    """A progress bar on stderr (hidden with --json or when stderr is not a terminal)."""
    hidden = options.json or not sys.stderr.isatty()
    return click.progressbar(
        length=max(length, 0), label=label, file=sys.stderr if not hidden else _Null()
    )


class _Null:
    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def not_found(error: NotFoundError) -> CommandError:
    return CommandError(str(error), exit_codes.NOT_FOUND)
