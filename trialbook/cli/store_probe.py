"""Store capabilities the Store interface does not offer yet (for `db`, `gc` and `doctor`).

STORE-INTERFACE GAP: everything here reaches past ``trialbook.store``'s public API into the
SQLite backend, because the interface has no way to read the schema version without migrating,
to VACUUM/ANALYZE, or to test the filesystem. When the team store lands these belong on the
Store interface (``schema_version()``, ``pending_migrations()``, ``maintain()``) with a
PostgreSQL implementation; until then PostgreSQL locations get a clear "not supported" error.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from trialbook.cli import exit_codes
from trialbook.cli.context import CommandError
from trialbook.store import StoreLocation
from trialbook.store.sqlite.filesystem import NETWORK_FILESYSTEMS, filesystem_type
from trialbook.store.sqlite.schema import SCHEMA_VERSION


@dataclass
class SchemaState:
    version: int | None  # None: no store file yet
    supported: int  # the newest schema this Trialbook knows

    @property
    def state(self) -> str:
        if self.version is None:
            return "missing"
        if self.version < self.supported:
            return "upgrade-needed"
        if self.version > self.supported:
            return "newer-than-trialbook"
        return "current"


def _sqlite_only(location: StoreLocation) -> None:
    if location.path is None:
        raise CommandError(
            f"{location.describe()}: this Trialbook manages SQLite stores only; PostgreSQL "
            "support arrives with the team store.",
            exit_codes.ERROR,
        )


def schema_state(location: StoreLocation) -> SchemaState:
    """The store's schema version, read without migrating (read-only connection)."""
    if location.kind == "postgresql":
        return _postgres_schema_state(location)
    _sqlite_only(location)
    assert location.path is not None
    if not location.path.exists():
        return SchemaState(None, SCHEMA_VERSION)
    connection = sqlite3.connect(f"{location.path.as_uri()}?mode=ro", uri=True)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()
    return SchemaState(int(version), SCHEMA_VERSION)


def vacuum_and_analyze(location: StoreLocation) -> None:
    """Reclaim free pages and refresh the query planner's statistics."""
    _sqlite_only(location)
    connection = sqlite3.connect(str(location.path), timeout=30.0, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("VACUUM")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def database_bytes(location: StoreLocation) -> int:
    """Size of the database with its WAL and shared-memory files."""
    if location.path is None:
        return 0
    total = 0
    for suffix in ("", "-wal", "-shm"):
        candidate = location.path.with_name(location.path.name + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total


def network_filesystem(location: StoreLocation) -> str | None:
    """The filesystem type when the store's directory is on a network filesystem."""
    if location.path is None:
        return None
    directory = location.path.parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    fstype = filesystem_type(directory)
    return fstype if fstype in NETWORK_FILESYSTEMS else None


def _postgres_schema_state(location: StoreLocation) -> SchemaState:
    from trialbook.store.postgres import schema
    from trialbook.store.postgres.url import parse_postgres_url

    url = parse_postgres_url(location.url)
    version = schema.database_version(url)
    if version is None:
        schema.check_version(url, version)  # raises: the schema holds tables not ours
    return SchemaState(version or None, schema.SCHEMA_VERSION)


def upgrade_postgres(location: StoreLocation) -> tuple[int, int]:
    """Apply pending PostgreSQL migrations (opening a PostgreSQL store never does)."""
    from trialbook.store.postgres import schema
    from trialbook.store.postgres.url import parse_postgres_url

    return schema.upgrade_database(parse_postgres_url(location.url))
