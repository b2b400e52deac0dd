"""``python -m trialbook db upgrade|version``: manage the store named by TRIALBOOK_STORE."""

from __future__ import annotations

import argparse
import sys

from trialbook.errors import TrialbookError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trialbook")
    commands = parser.add_subparsers(dest="group", required=True)
    database = commands.add_parser("db", help="the store's schema")
    actions = database.add_subparsers(dest="action", required=True)
    for name, text in (
        ("upgrade", "bring the store's schema up to this Trialbook's version"),
        ("version", "print the store's schema version and this Trialbook's"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "--store", default=None, help="a path or URL (default: $TRIALBOOK_STORE)"
        )
    arguments = parser.parse_args(argv)
    try:
        print(_run(arguments.action, arguments.store))
    except TrialbookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _run(action: str, store: str | None) -> str:
    from trialbook.store.location import resolve_store_location

    location = resolve_store_location(store)
    if location.kind == "postgresql":
        from trialbook.store.postgres import schema
        from trialbook.store.postgres.url import parse_postgres_url

        url = parse_postgres_url(location.url)
        if action == "version":
            version = schema.database_version(url)
            return (
                f"{url.where()}: schema version {version} (this Trialbook: {schema.SCHEMA_VERSION})"
            )
        before, after = schema.upgrade_database(url)
        if before == after:
            return f"{url.where()}: already at schema version {after}"
        return f"{url.where()}: upgraded from schema version {before} to {after}"
    from trialbook.store import open_store
    from trialbook.store.sqlite.schema import SCHEMA_VERSION

    open_store(store)  # SQLite migrates when it opens
    return f"{location.describe()}: at schema version {SCHEMA_VERSION}"


if __name__ == "__main__":
    sys.exit(main())
