"""Store URLs: validated, the schema split off, the password never shown."""

from __future__ import annotations

import pytest

from trialbook.errors import ValidationError
from trialbook.store.postgres.url import parse_postgres_url, redact


def test_a_plain_url_gets_the_default_schema() -> None:
    url = parse_postgres_url("postgresql://alice:s3cret@db.example:6543/team")
    assert (url.schema, url.host, url.port, url.database, url.user) == (
        "trialbook",
        "db.example",
        6543,
        "team",
        "alice",
    )
    assert "s3cret" not in url.redacted and "s3cret" not in url.where()
    assert url.conninfo == "postgresql://alice:s3cret@db.example:6543/team"


def test_the_schema_parameter_is_trialbooks_not_libpqs() -> None:
    url = parse_postgres_url("postgres://bob@db/team?schema=ml_team&sslmode=require")
    assert url.schema == "ml_team"
    assert url.conninfo == "postgresql://bob@db/team?sslmode=require"
    assert url.port == 5432


def test_sqlalchemy_style_urls_are_accepted() -> None:
    assert parse_postgres_url("postgresql+psycopg://u@h/d").conninfo == "postgresql://u@h/d"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://alice:s3cret@host:notaport/db", "port"),
        ("postgresql://alice:s3cret@host:5432", "names no database"),
        ("postgresql://alice:s3cret@host/db?schema=Bad-Name", "schema="),
        ("mysql://alice:s3cret@host/db", "scheme"),
    ],
)
def test_a_bad_url_says_what_is_wrong_without_the_password(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        parse_postgres_url(url)
    assert "s3cret" not in str(caught.value)
    assert "postgresql://user[:password]@host" in str(caught.value)


def test_redact_hides_passwords_in_the_user_part_and_the_query() -> None:
    assert redact("postgresql://a:pw@h/d") == "postgresql://a:***@h/d"
    assert "pw" not in redact("postgresql://a@h/d?password=pw&sslmode=require")
