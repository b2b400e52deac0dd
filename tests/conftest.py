"""Every test gets its own SQLite store in a temporary directory; PostgreSQL tests get their
own schema on the server named by TRIALBOOK_TEST_POSTGRES (see ``postgres_url``)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trialbook.store import reset_store_cache  # noqa: E402

# A real Jupyter Server for tests/server (pytest only reads this in the top conftest).
pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture(autouse=True)
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh store per test, exported as TRIALBOOK_STORE (child processes inherit it)."""
    path = tmp_path / "store" / "trialbook.db"
    monkeypatch.setenv("TRIALBOOK_STORE", str(path))
    monkeypatch.delenv("TRIALBOOK_ARTIFACT_ROOT", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    reset_store_cache()
    yield path
    reset_store_cache()


POSTGRES_VARIABLE = "TRIALBOOK_TEST_POSTGRES"


def postgres_server_url() -> str:
    """The test server's URL; without one, skip locally but fail in CI (never a silent skip:
    ./scripts/test starts a throwaway server and sets the variable)."""
    url = os.environ.get(POSTGRES_VARIABLE, "").strip()
    if not url:
        message = (
            f"{POSTGRES_VARIABLE} is not set: run the tests through ./scripts/test, or start a "
            "server (scripts/common.sh: ensure_postgres; start_test_postgres) and export it"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A store URL on the test server with a schema of its own, dropped afterwards."""
    import psycopg

    server = postgres_server_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}schema={schema}"
    reset_store_cache()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
