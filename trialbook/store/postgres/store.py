"""The PostgreSQL store: the SQL core over a PostgreSQL database shared by a team."""

from __future__ import annotations

from trialbook.store.core.sql_store import SqlStore
from trialbook.store.location import StoreLocation
from trialbook.store.postgres.backend import PostgresBackend
from trialbook.store.postgres.url import parse_postgres_url


class PostgresStore(SqlStore):
    """A store in a PostgreSQL schema; one connection per thread, re-made after fork."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        url = parse_postgres_url(location.url)
        backend = PostgresBackend(url)
        super().__init__(backend, location.artifact_root, f"postgresql:{url.redacted}")
        backend.open()  # fail early: unreachable, credentials, missing database, schema version
