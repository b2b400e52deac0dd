"""A PostgreSQL server whose disk fills up: StoreFullError, said once, no point lost.

A throwaway cluster of this module's own (never the shared one) keeps the store's database
in a tablespace on a small tmpfs, filled to the last byte while a tracker logs. Needs root
(mount, and the server runs as the 'postgres' user) and PostgreSQL's server programs;
skipped otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import trialbook as tb
from trialbook.errors import StoreFullError, StoreUnavailableError
from trialbook.store import open_store, reset_store_cache
from trialbook.store.location import resolve_store_location
from trialbook.store.postgres.store import PostgresStore

FULL_MESSAGE = "Nothing is lost: buffered metric points are kept and written again"


def _server_programs() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(*command: str | Path) -> None:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


@pytest.fixture(scope="module")
def small_disk_cluster() -> Iterator[tuple[str, Path]]:
    """(URL of a database in a tablespace on a 24 MB tmpfs, the tmpfs folder)."""
    programs = _server_programs()
    if os.geteuid() != 0 or programs is None or shutil.which("runuser") is None:
        pytest.skip("needs root, runuser and PostgreSQL's server programs (initdb, pg_ctl)")
    if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        pytest.skip("needs a 'postgres' user to run the server as (scripts/test makes one)")
    folder = Path(tempfile.mkdtemp(prefix="trialbook-pg-full-"))
    small = folder / "small"
    small.mkdir()
    as_postgres = ("runuser", "-u", "postgres", "--")
    mounted = started = False
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(small)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
        mounted = True
        shutil.chown(folder, "postgres")
        shutil.chown(small, "postgres")
        _run(*as_postgres, programs / "initdb", "--pgdata", folder / "data", "--username",
             "trialbook", "--auth", "trust", "--no-locale", "--encoding", "UTF8")  # fmt: skip
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} "
            f"-c unix_socket_directories={folder} -c fsync=off"
        )
        _run(*as_postgres, programs / "pg_ctl", "--pgdata", folder / "data", "--log",
             folder / "server.log", "--options", options, "--wait", "start")  # fmt: skip
        started = True
        server = f"postgresql://trialbook@127.0.0.1:{port}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE TABLESPACE small LOCATION '{small}'")
            admin.execute("CREATE DATABASE full_disk TABLESPACE small")
        yield f"{server}/full_disk", small
    finally:
        reset_store_cache()
        if started:
            with contextlib.suppress(RuntimeError):
                _run(*as_postgres, programs / "pg_ctl", "--pgdata", folder / "data",
                     "--mode", "immediate", "stop")  # fmt: skip
        if mounted:
            subprocess.run(["umount", "-l", str(small)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def full_disk_store(
    small_disk_cluster: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    """The small cluster's database as TRIALBOOK_STORE, in a schema of this test's own."""
    server, small = small_disk_cluster
    url = f"{server}?schema=t_{secrets.token_hex(4)}"
    monkeypatch.setenv("TRIALBOOK_STORE", url)
    monkeypatch.setenv("TRIALBOOK_FLUSH_SECONDS", "0.1")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(small.parent / "jupyter-data"))  # artifacts
    reset_store_cache()
    return url, small


@contextlib.contextmanager
def _filled(folder: Path) -> Iterator[None]:
    """The disk of ``folder`` full to the last byte while inside."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 65536)
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 512)
    try:
        yield
    finally:
        filler.unlink()


def test_a_full_server_disk_is_said_once_and_every_point_is_written_after(
    full_disk_store: tuple[str, Path],
) -> None:
    _, small = full_disk_store
    tracker = tb.Tracker.create("full")
    tb.flush()
    with _filled(small), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for step in range(20_000):
            tracker.log_metric("loss", 1.0 / (step + 1))
        time.sleep(1.5)  # the writer thread tries, fails, and retries with backoff
        with pytest.raises(StoreFullError) as raised:
            tracker.close()
    message = str(raised.value)
    assert message.startswith("The disk of the PostgreSQL server holding the Trialbook store")
    assert "127.0.0.1" in message and "is full (could not extend file" in message
    assert FULL_MESSAGE in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    outage = [str(w.message) for w in caught if "could not write metric points" in str(w.message)]
    assert len(outage) == 1, outage  # reported once, not at every retry
    assert "StoreFullError" in outage[0] and "kept, retrying" in outage[0]

    tracker.close()  # space again: every point is written, the component closes
    summary = open_store().metric_summaries([tracker.trial_component_name])
    assert summary[tracker.trial_component_name]["loss"].count == 20_000
    assert tb.TrialComponent.load(tracker.trial_component_name).status == tb.TrialStatus.COMPLETED


def test_no_free_connection_slot_is_a_clear_retryable_error(
    small_disk_cluster: tuple[str, Path],
) -> None:
    server, _ = small_disk_cluster
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute("CREATE ROLE limited LOGIN CONNECTION LIMIT 1")
    limited = server.replace("trialbook@", "limited@")
    location = resolve_store_location(f"{limited}?schema=s_{secrets.token_hex(4)}")
    with psycopg.connect(limited), pytest.raises(StoreUnavailableError) as raised:
        PostgresStore(location)  # the role's one slot is taken
    message = str(raised.value)
    assert "has no free connection slot (too many connections for role" in message
    assert "max_connections" in message and "Nothing is lost" in message


@pytest.fixture
def jp_asyncio_loop(_function_scoped_runner):
    """Serve on the loop pytest-asyncio runs the test on (as tests/server/conftest.py)."""
    loop = _function_scoped_runner.get_loop()
    asyncio.set_event_loop(loop)
    yield loop


@pytest.fixture
def jp_server_config(full_disk_store: tuple[str, Path]) -> dict[str, object]:
    return {"ServerApp": {"jpserver_extensions": {"trialbook": True}}}


async def test_the_rest_api_answers_503_with_the_message(
    full_disk_store: tuple[str, Path], jp_fetch
) -> None:
    _, small = full_disk_store
    tb.Experiment.create("exp", hypothesis="h")
    notes = secrets.token_hex(200_000)  # incompressible: new pages are needed for it
    with _filled(small):
        response = await jp_fetch(
            "trialbook", "api", "experiments", "exp",
            method="PATCH", body=json.dumps({"notes": notes}), raise_error=False,
        )  # fmt: skip
    assert response.code == 503
    assert response.headers["Content-Type"].startswith("application/json")
    message = json.loads(response.body)["message"]
    assert "The disk of the PostgreSQL server holding the Trialbook store" in message
    assert FULL_MESSAGE in message
    response = await jp_fetch(
        "trialbook", "api", "experiments", "exp",
        method="PATCH", body=json.dumps({"notes": notes}),
    )  # fmt: skip
    assert response.code == 200
    assert tb.Experiment.load("exp").notes == notes
