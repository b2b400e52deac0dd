"""A ``postgresql://`` store URL: validated, split into libpq's part and Trialbook's own
``schema`` parameter, and shown only with its password hidden. No psycopg needed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse, urlunparse

from trialbook.errors import ValidationError

DEFAULT_SCHEMA = "trialbook"
SCHEMES = ("postgresql", "postgres")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


@dataclass(frozen=True)
class PostgresUrl:
    """``conninfo`` is what libpq gets; ``schema`` is where Trialbook's tables live."""

    conninfo: str
    schema: str
    redacted: str
    host: str
    port: int
    database: str
    user: str | None

    def where(self) -> str:
        """A short human description: ``user@host:port/database (schema trialbook)``."""
        user = f"{self.user}@" if self.user else ""
        return f"{user}{self.host}:{self.port}/{self.database} (schema {self.schema})"


def redact(url: str) -> str:
    """``url`` with any password (in the user part or the query) replaced by ``***``."""
    try:
        parsed = urlparse(url)
        netloc = parsed.netloc
        if "@" in netloc:
            userinfo, _, hostinfo = netloc.rpartition("@")
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{hostinfo}"
        query = [
            (key, "***" if key in _SECRET_PARAMETERS else value)
            for key, value in parse_qsl(parsed.query, keep_blank_values=True)
        ]
        return urlunparse(parsed._replace(netloc=netloc, query=urlencode(query, safe="*/:")))
    except ValueError:
        return re.sub(r"//[^@/]*@", "//***@", url)


def parse_postgres_url(url: str, variable: str = "TRIALBOOK_STORE") -> PostgresUrl:
    """Validate ``url`` and split off ``?schema=`` (default ``trialbook``).

    Accepts ``postgresql://``, ``postgres://`` and SQLAlchemy's ``postgresql+driver://``.
    Raises ValidationError naming the problem (never the password).
    """
    shown = redact(url)

    def invalid(reason: str) -> ValidationError:
        return ValidationError(
            f"{variable}={shown!r} is not a valid PostgreSQL URL: {reason}. "
            "Use postgresql://user[:password]@host[:port]/database[?schema=trialbook]."
        )

    parsed = urlparse(url)
    scheme = parsed.scheme.split("+", 1)[0]
    if scheme not in SCHEMES:
        raise invalid(f"the scheme must be postgresql://, not {parsed.scheme}://")
    try:
        port = parsed.port or 5432
    except ValueError:
        raise invalid("the port is not a number between 0 and 65535") from None
    database = unquote(parsed.path.lstrip("/"))
    if not database or "/" in database:
        raise invalid("it names no database (…/database after the host)")
    host = parsed.hostname or ""
    query = parse_qsl(parsed.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    libpq_query = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            libpq_query.append((key, value))
    if not _SCHEMA_NAME.match(schema):
        raise invalid(
            f"schema={schema!r} must be a lower-case SQL name (letters, digits, _; at most 63)"
        )
    for key, value in libpq_query:
        if key == "host" and not host:
            host = value  # a Unix socket directory given as ?host=/run/postgresql
        if key == "port" and value.isdigit():
            port = int(value)
    conninfo = urlunparse(
        parsed._replace(scheme="postgresql", query=urlencode(libpq_query, quote_via=quote))
    )
    return PostgresUrl(
        conninfo=conninfo,
        schema=schema,
        redacted=redact(url),
        host=host or "localhost",
        port=port,
        database=database,
        user=unquote(parsed.username) if parsed.username else None,
    )
