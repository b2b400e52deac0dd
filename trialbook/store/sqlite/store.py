"""The SQLite store: the SQL core over one local SQLite file."""

from __future__ import annotations

from trialbook.errors import TrialbookError
from trialbook.store.core.sql_store import SqlStore
from trialbook.store.location import StoreLocation
from trialbook.store.sqlite.backend import SqliteBackend


class SqliteStore(SqlStore):
    """A store in one SQLite file; one connection per thread, re-made after fork."""

    def __init__(self, location: StoreLocation) -> None:
        if location.path is None:
            raise TrialbookError(f"not a SQLite location: {location.describe()}")
        self.location = location
        self.path = location.path
        super().__init__(SqliteBackend(location.path), location.artifact_root, str(location.path))
        self.backend.connection()  # fail early: permissions, schema version, migrations
