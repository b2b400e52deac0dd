"""What went wrong with a PostgreSQL store's server, said plainly: the server's errors about
its resources (SQLSTATE class 53: disk, memory, connection slots) and a read-only server
become StoreErrors that name the server and what to do. The metric writer keeps its points
through any of them and writes them again (see writer.py)."""

from __future__ import annotations

import psycopg

from trialbook.errors import StoreError, StoreFullError, StoreReadOnlyError, StoreUnavailableError
from trialbook.store.postgres.url import PostgresUrl

DISK_FULL = "53100"
OUT_OF_MEMORY = "53200"
TOO_MANY_CONNECTIONS = "53300"
READ_ONLY_TRANSACTION = "25006"

#: libpq's words when the server refuses a connection for want of a slot (no SQLSTATE then).
NO_SLOT = ("too many clients", "too many connections", "remaining connection slots are reserved")


def translate(url: PostgresUrl, error: Exception) -> StoreError | None:
    """The StoreError to raise for a PostgreSQL error about the server's resources, or None."""
    if not isinstance(error, psycopg.Error):
        return None
    sqlstate = error.sqlstate or ""
    detail = _detail(error)
    if sqlstate == DISK_FULL:
        return full(url, detail)
    if sqlstate == OUT_OF_MEMORY:
        return StoreError(
            f"The PostgreSQL server of the Trialbook store at {url.where()} ran out of memory "
            f"({detail}). Nothing is lost: buffered metric points are kept and written again "
            "once the server can take them. Check the server's memory (its host, or "
            "work_mem and shared_buffers in postgresql.conf)."
        )
    if sqlstate == TOO_MANY_CONNECTIONS or any(words in detail.lower() for words in NO_SLOT):
        return no_connection_slot(url, detail)
    if sqlstate == READ_ONLY_TRANSACTION:
        return StoreReadOnlyError(
            f"The PostgreSQL server of the Trialbook store at {url.where()} is read-only "
            f"({detail}): it is a standby or in read-only mode, so nothing can be written. "
            "Point TRIALBOOK_STORE at the primary server."
        )
    return None


def full(url: PostgresUrl, detail: str) -> StoreFullError:
    return StoreFullError(
        f"The disk of the PostgreSQL server holding the Trialbook store at {url.where()} is "
        f"full ({detail}). Nothing is lost: buffered metric points are kept and written again "
        "once there is space. Free some space on the server's data disk (or on the disk of "
        "the store's tablespace), or ask the server's administrator to."
    )


def no_connection_slot(url: PostgresUrl, detail: str) -> StoreUnavailableError:
    detail = detail.rsplit("FATAL:", 1)[-1].strip()  # libpq's "connection to server … failed"
    return StoreUnavailableError(
        f"The PostgreSQL server of the Trialbook store at {url.where()} has no free "
        f"connection slot ({detail}): its max_connections (or the role's CONNECTION LIMIT) "
        "are all in use. Nothing is lost: buffered metric points are kept and written again "
        "once a slot frees up. Close idle connections, or raise max_connections in "
        "postgresql.conf (each Trialbook process uses one connection per thread that writes, "
        "plus one for a Jupyter server's change feed)."
    )


def _detail(error: psycopg.Error) -> str:
    """The server's message on one line, without psycopg's prefix."""
    diagnostic = getattr(error, "diag", None)
    primary = getattr(diagnostic, "message_primary", None) if diagnostic else None
    text = primary or str(error)
    return " ".join(text.split()).removeprefix("connection failed: ")
