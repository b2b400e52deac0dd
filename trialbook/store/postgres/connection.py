"""Connecting to PostgreSQL with clear errors, and telling transient failures apart.

Connection failures become errors that say what to do and never show the password:
``ValidationError`` for a malformed URL, ``StoreUnavailableError`` (retryable) when the
server cannot be reached or has no free connection slot (max_connections), ``TrialbookError``
for bad credentials or a missing database. The connections themselves (one per thread,
fork-safe) are kept by backend.py.
"""

from __future__ import annotations

import psycopg

from trialbook.errors import StoreUnavailableError, TrialbookError, ValidationError
from trialbook.store.postgres import faults
from trialbook.store.postgres.url import PostgresUrl

CONNECT_TIMEOUT_SECONDS = 10

# SQLSTATEs worth retrying: connection exceptions (class 08), the server shutting down or
# starting up, serialization failures and deadlocks.
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01", "53300"})


def is_transient(error: BaseException) -> bool:
    """Whether retrying ``error`` later may succeed (the server or the network came back)."""
    if isinstance(error, StoreUnavailableError):
        return True
    if not isinstance(error, psycopg.Error):
        return False
    sqlstate = error.sqlstate or ""
    if sqlstate.startswith("08") or sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(error, psycopg.OperationalError) and not sqlstate


def connect_error(url: PostgresUrl, error: psycopg.Error) -> TrialbookError:
    """A clear, password-free error for a failed connection attempt."""
    reason = _reason(url, error)
    lowered = reason.lower()
    where = url.where()
    if error.sqlstate == faults.TOO_MANY_CONNECTIONS or any(
        words in lowered for words in faults.NO_SLOT
    ):
        return faults.no_connection_slot(url, reason)
    if (
        "password authentication failed" in lowered
        or "no password supplied" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return TrialbookError(
            f"PostgreSQL at {where} refused the credentials: {reason}. Check the user and "
            "password in TRIALBOOK_STORE (or ~/.pgpass / PGPASSWORD)."
        )
    if "database" in lowered and "does not exist" in lowered:
        return TrialbookError(
            f"PostgreSQL at {where}: {reason}. Create it first (e.g. `createdb "
            f"{url.database}` or CREATE DATABASE {url.database}); Trialbook creates its "
            "tables itself but not the database."
        )
    if (
        "invalid" in lowered
        and ("option" in lowered or "connection" in lowered)
        and ("uri" in lowered or "option" in lowered)
    ):
        return ValidationError(f"TRIALBOOK_STORE={url.redacted!r} is not usable: {reason}.")
    return StoreUnavailableError(
        f"Cannot reach PostgreSQL at {where}: {reason}. Is the server running and accepting "
        "TCP connections there (listen_addresses, pg_hba.conf, a firewall)?"
    )


def _reason(url: PostgresUrl, error: BaseException) -> str:
    """libpq's message, one line, with the password scrubbed should it ever appear."""
    text = " ".join(str(error).split()) or type(error).__name__
    text = text.removeprefix("connection failed: ")
    if "@" in url.conninfo and ":" in url.conninfo.split("@", 1)[0].split("//", 1)[-1]:
        password = url.conninfo.split("@", 1)[0].split("//", 1)[-1].split(":", 1)[1]
        if password:
            text = text.replace(password, "***")
    return text


class Connector:
    """Makes connections to one store's database with ``search_path`` set to its schema, and
    JIT compilation off: a filtered or sorted trial table page's statements cost enough (a
    correlated subquery per trial) to pass ``jit_above_cost``, and compiling them took
    ~10 ms a statement, often more than running it (benchmarks/README.md)."""

    def __init__(self, url: PostgresUrl) -> None:
        self.url = url

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection:
        try:
            return psycopg.connect(
                self.url.conninfo,
                autocommit=autocommit,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                options=f"-c search_path={self.url.schema} -c jit=off",
                application_name="trialbook",
            )
        except psycopg.ProgrammingError as error:  # libpq rejected the URL's options
            raise ValidationError(
                f"TRIALBOOK_STORE={self.url.redacted!r} is not a usable PostgreSQL URL: "
                f"{_reason(self.url, error)}."
            ) from None
        except psycopg.Error as error:
            raise connect_error(self.url, error) from None
