"""Connecting: clear errors without the password, a fork-safe pool, psycopg only on demand."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
from urllib.parse import urlparse

import psycopg
import pytest

from trialbook.errors import StoreUnavailableError, TrialbookError, ValidationError
from trialbook.store.location import resolve_store_location
from trialbook.store.postgres.connection import is_transient
from trialbook.store.postgres.store import PostgresStore
from trialbook.store.postgres.url import parse_postgres_url


def _open_store(url: str) -> PostgresStore:
    return PostgresStore(resolve_store_location(url))


def _backend_pid(store: PostgresStore) -> int:
    return int(store.read(lambda tx: tx.scalar("SELECT pg_backend_pid()")))


def _with(url: str, **parts: object) -> str:
    parsed = urlparse(url)
    user = parts.get("user", parsed.username)
    password = parts.get("password")
    host = parsed.hostname
    port = parts.get("port", parsed.port)
    database = parts.get("database", parsed.path.lstrip("/"))
    auth = f"{user}:{password}@" if password else f"{user}@"
    query = f"?{parsed.query}" if parsed.query else ""
    return f"postgresql://{auth}{host}:{port}/{database}{query}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_is_a_clear_retryable_error(postgres_url: str) -> None:
    url = _with(postgres_url, port=_free_port(), password="s3cret-pw")
    with pytest.raises(StoreUnavailableError) as caught:
        _open_store(url)
    message = str(caught.value)
    assert "Cannot reach PostgreSQL at" in message and "Is the server running" in message
    assert "refused" in message.lower()
    assert "s3cret-pw" not in message and caught.value.__cause__ is None
    assert is_transient(caught.value)


def test_bad_credentials_are_named_as_such(postgres_url: str) -> None:
    url = _with(postgres_url, user="nobody_here", password="s3cret-pw")
    with pytest.raises(TrialbookError, match="refused the credentials") as caught:
        _open_store(url)
    assert "nobody_here" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert not isinstance(caught.value, StoreUnavailableError)


def test_a_missing_database_says_to_create_it(postgres_url: str) -> None:
    url = _with(postgres_url, database="no_such_db", password="s3cret-pw")
    with pytest.raises(TrialbookError, match="createdb no_such_db") as caught:
        _open_store(url)
    assert "s3cret-pw" not in str(caught.value)


def test_an_unknown_libpq_option_is_a_bad_url(postgres_url: str) -> None:
    with pytest.raises(ValidationError, match="not a usable PostgreSQL URL") as caught:
        _open_store(postgres_url + "&password=s3cret-pw&frobnicate=1")
    assert "s3cret-pw" not in str(caught.value)


def test_connections_use_the_stores_schema(postgres_url: str) -> None:
    database = _open_store(postgres_url)
    schema = parse_postgres_url(postgres_url).schema
    assert database.read(lambda tx: tx.scalar("SELECT current_schema()")) == schema
    database.close()


def test_a_dropped_connection_is_replaced(postgres_url: str) -> None:
    database = _open_store(postgres_url)
    pid = _backend_pid(database)
    with psycopg.connect(urlparse(postgres_url)._replace(query="").geturl()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # the idle pooled connection is dead now: the next transaction retries on a fresh one
    new_pid = _backend_pid(database)
    assert new_pid != pid
    database.close()


def _child_uses_its_own_connection(database: PostgresStore, queue: multiprocessing.Queue) -> None:
    pid = _backend_pid(database)
    queue.put(pid)


def test_a_forked_child_never_uses_the_parents_connections(postgres_url: str) -> None:
    database = _open_store(postgres_url)
    parent_pid = _backend_pid(database)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [
        context.Process(target=_child_uses_its_own_connection, args=(database, queue))
        for _ in range(3)
    ]
    for child in children:
        child.start()
    child_pids = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    assert parent_pid not in child_pids
    # the parent's pooled connection survived its children exiting
    assert _backend_pid(database) == (parent_pid)
    database.close()


def test_each_thread_has_its_own_connection(postgres_url: str) -> None:
    database = _open_store(postgres_url)
    pids: list[int] = []
    threads = [
        threading.Thread(target=lambda: pids.append(_backend_pid(database))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({*pids, _backend_pid(database)}) == 4
    database.close()


def test_importing_trialbook_and_using_sqlite_never_imports_psycopg(tmp_path: object) -> None:
    code = (
        "import sys, trialbook as tb\n"
        "tb.Experiment.create('e', hypothesis='h')\n"
        "from trialbook.store import open_store; open_store()\n"
        "assert 'psycopg' not in sys.modules, 'psycopg imported'\n"
        "assert 'trialbook.store.postgres.connection' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy(), timeout=120)
