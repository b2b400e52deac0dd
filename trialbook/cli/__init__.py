"""The ``trialbook`` command (click). The engines (sync, MLflow import, gc) are plain modules
that take Store objects, so they can be tested and reused without the command line."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    try:
        from trialbook.cli.app import cli
    except ImportError as error:  # click missing from a hand-made environment
        sys.stderr.write(
            f"trialbook: the command line needs a missing package ({error.name}); "
            "run: pip install --upgrade trialbook\n"
        )
        raise SystemExit(1) from None
    cli(prog_name="trialbook")
