"""The ``trialbook`` command group: global options and the mapping of errors to exit codes."""

from __future__ import annotations

import json
from typing import Any

import click

import trialbook
from trialbook.cli import exit_codes
from trialbook.cli.browse import export, ls, show
from trialbook.cli.context import CommandError, Options
from trialbook.cli.doctor import doctor
from trialbook.cli.maintenance import db, gc
from trialbook.cli.transfer import import_group, sync
from trialbook.errors import NotFoundError, StoreVersionError, TrialbookError, ValidationError


class TrialbookGroup(click.Group):
    """Turns Trialbook's errors into one-line messages with meaningful exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke(ctx)
        except CommandError as error:
            if isinstance(ctx.obj, Options) and ctx.obj.json:  # scripts read errors on stdout too
                click.echo(json.dumps({"error": error.message, "exit_code": error.exit_code}))
            raise

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NotFoundError as error:
            raise CommandError(str(error), exit_codes.NOT_FOUND) from None
        except StoreVersionError as error:
            raise CommandError(str(error), exit_codes.STORE_VERSION) from None
        except ValidationError as error:
            raise CommandError(str(error), exit_codes.USAGE) from None
        except TrialbookError as error:
            raise CommandError(str(error), exit_codes.ERROR) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; run the command again to continue.", err=True)
            ctx.exit(exit_codes.INTERRUPTED)


@click.group(cls=TrialbookGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    metavar="URL",
    help="Store path or URL (sqlite:///path/trialbook.db, postgresql://…). "
    "Default: $TRIALBOOK_STORE, else the Jupyter data directory.",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON on stdout.")
@click.version_option(trialbook.__version__, prog_name="trialbook")
@click.pass_context
def cli(ctx: click.Context, store: str | None, as_json: bool) -> None:
    """Trialbook from a terminal: browse, export, sync stores and import from MLflow.

    Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 conflicts, 5 missing optional
    package, 6 store version, 7 doctor found problems, 130 interrupted.
    """
    ctx.obj = Options(store=store, json=as_json)


for _command in (ls, show, export, sync, import_group, gc, db, doctor):
    cli.add_command(_command)
