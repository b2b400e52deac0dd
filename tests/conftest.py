"""Every test gets a store of its own: a SQLite file in a temporary directory, or (for the
suites in BOTH_BACKENDS, parametrized) a schema of its own on the PostgreSQL server named by
TRIALBOOK_TEST_POSTGRES. Tests of SQLite itself carry ``@pytest.mark.sqlite_only``."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trialbook.store import reset_store_cache  # noqa: E402

# A real Jupyter Server for tests/server (pytest only reads this in the top conftest).
pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture(autouse=True)
def store_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_backend: str
) -> Iterator[Path]:
    """A fresh store per test, exported as TRIALBOOK_STORE (child processes inherit it): a
    SQLite file at the returned path, or a PostgreSQL schema of its own (artifacts under a
    Jupyter data dir of its own)."""
    path = tmp_path / "store" / "trialbook.db"
    monkeypatch.delenv("TRIALBOOK_ARTIFACT_ROOT", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with contextlib.ExitStack() as stack:
        if store_backend == "postgresql":
            monkeypatch.setenv("TRIALBOOK_STORE", stack.enter_context(_postgres_schema()))
            monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))  # artifacts
        else:
            monkeypatch.setenv("TRIALBOOK_STORE", str(path))
        reset_store_cache()
        yield path
        reset_store_cache()


POSTGRES_VARIABLE = "TRIALBOOK_TEST_POSTGRES"
#: Suites run on both backends (the store, the library, the server); others on SQLite only.
BOTH_BACKENDS = ("tests/test_", "tests/server/")


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


@contextlib.contextmanager
def _postgres_schema() -> Iterator[str]:
    """A store URL on the test server with a schema of its own, dropped afterwards."""
    import psycopg

    server = postgres_server_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}schema={schema}"
    finally:
        reset_store_cache()
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL store URL of its own (for tests of the PostgreSQL backend itself)."""
    with _postgres_schema() as url:
        yield url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    path = Path(metafunc.definition.fspath).relative_to(ROOT).as_posix()
    if "store_backend" not in metafunc.fixturenames or not path.startswith(BOTH_BACKENDS):
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    if metafunc.definition.get_closest_marker("postgres_only") is not None:
        metafunc.parametrize("store_backend", ["postgresql"], indirect=True)
    else:
        metafunc.parametrize("store_backend", ["sqlite", "postgresql"], indirect=True)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: a test of the SQLite backend itself")
    config.addinivalue_line(
        "markers", "postgres_only: a test of the PostgreSQL backend through the public API"
    )


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    """Which backend this test's store uses (parametrized for BOTH_BACKENDS)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def store_rows() -> Callable[..., list[tuple[object, ...]]]:
    """``store_rows(sql, parameters)``: see ``read_store_rows``."""
    return read_store_rows


def read_store_rows(sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of a plain SQL query (``?`` placeholders) on this test's store, read beside
    Trialbook with the engine's own driver: what is really stored."""
    location = os.environ["TRIALBOOK_STORE"]
    if not location.startswith("postgresql://"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(location)) as connection:
            return connection.execute(sql, parameters).fetchall()
    import psycopg

    from trialbook.store.postgres.url import parse_postgres_url

    url = parse_postgres_url(location)
    with psycopg.connect(url.conninfo, options=f"-c search_path={url.schema}") as connection:
        return connection.execute(sql.replace("?", "%s"), parameters).fetchall()
