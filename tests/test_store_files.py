"""Store file faults give a precise error naming the file and what to do, never a raw one:
read-only stores (read, refuse writes), corrupt or foreign files, unusable parent paths, a
full disk (points kept and written once there is space), no temporary files left behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import trialbook as tb
from trialbook.errors import StoreError, StoreFullError, StoreReadOnlyError
from trialbook.store import open_store, reset_store_cache

pytestmark = pytest.mark.sqlite_only  # the SQLite file, its folder and its disk


NOBODY = 65534


def _as_nobody(queue: multiprocessing.Queue, function: Callable[[], Any]) -> None:
    try:
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        queue.put(("ok", function()))
    except BaseException as error:
        queue.put((type(error).__name__, str(error)))


def run_as_nobody(function: Callable[[], Any]) -> tuple[str, Any]:
    """``function()`` in a forked child that dropped root (so file modes apply)."""
    if os.geteuid() != 0:
        pytest.skip("dropping privileges needs root")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_as_nobody, args=(queue, function))
    child.start()
    result = queue.get(timeout=60)
    child.join(30)
    return result


@pytest.fixture
def read_only_store(store_path: Path) -> Iterator[Path]:
    """A closed store copied to a folder of mode 555 as a file of mode 444."""
    tb.Experiment.create("kept", hypothesis="H")
    reset_store_cache()  # closes it: the write-ahead log is folded into the file
    folder = Path(tempfile.mkdtemp(prefix="trialbook-ro-"))
    folder.chmod(0o755)
    copy = folder / "store" / "trialbook.db"
    copy.parent.mkdir()
    shutil.copy(store_path, copy)
    copy.chmod(0o444)
    copy.parent.chmod(0o555)
    yield copy
    copy.parent.chmod(0o755)
    shutil.rmtree(folder)


def test_a_read_only_store_is_read_and_the_first_write_says_why_not(
    read_only_store: Path,
) -> None:
    def read() -> list[str]:
        return [e.name for e in open_store(str(read_only_store)).list_experiments()]

    def write() -> None:
        open_store(str(read_only_store)).create_experiment(
            "new", description=None, hypothesis="H", objective=None, variables=None, tags={}
        )

    result = run_as_nobody(read)
    assert result == ("ok", ["kept"]), result
    kind, message = run_as_nobody(write)
    assert kind == StoreReadOnlyError.__name__
    assert str(read_only_store) in message and "read-only" in message
    assert "chmod u+w" in message


def test_a_file_that_is_not_a_database_is_named_with_what_to_do(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"not a database at all " * 200)
    with pytest.raises(StoreError) as raised:
        open_store().list_experiments()
    message = str(raised.value)
    assert f"The file {store_path} is not a Trialbook store (file is not a database)" in message
    assert "TRIALBOOK_STORE" in message and ".recover" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_sqlite_database_of_another_program_is_refused_and_left_untouched(
    store_path: Path,
) -> None:
    store_path.parent.mkdir(parents=True)
    with sqlite3.connect(store_path) as other:
        other.execute("CREATE TABLE experiments (id INTEGER)")
        other.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(StoreError, match="SQLite database of another program") as raised:
        open_store().list_experiments()
    assert str(store_path) in str(raised.value) and "experiments, users" in str(raised.value)
    with sqlite3.connect(store_path) as other:
        tables = other.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
        assert tables == [("experiments",), ("users",)]
        assert other.execute("PRAGMA user_version").fetchone() == (0,)


def test_a_parent_path_that_is_a_file_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    with pytest.raises(StoreError) as raised:
        open_store(str(blocker / "sub" / "trialbook.db"))
    assert str(raised.value) == (
        f"Cannot create the Trialbook store {blocker / 'sub' / 'trialbook.db'}: {blocker} is a "
        "file, not a folder. Set TRIALBOOK_STORE to a path in a folder this user can write, "
        "e.g. TRIALBOOK_STORE=~/trialbook/trialbook.db."
    )


def test_a_parent_folder_this_user_cannot_write_is_named(read_only_store: Path) -> None:
    def create_beside() -> None:
        open_store(str(read_only_store.parent / "new" / "trialbook.db"))

    def create_in() -> None:
        open_store(str(read_only_store.parent / "other.db")).list_experiments()

    kind, message = run_as_nobody(create_beside)
    assert kind == StoreError.__name__, message
    assert message.startswith(f"Cannot create the Trialbook store {read_only_store.parent}/new")
    assert "Permission denied" in message and "TRIALBOOK_STORE" in message
    kind, message = run_as_nobody(create_in)
    assert kind == StoreError.__name__, message
    assert str(read_only_store.parent / "other.db") in message


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root and permission to mount; skipped where not allowed)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        reset_store_cache()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    """Fill the disk of ``folder`` up to the last byte with one file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_a_full_disk_is_said_plainly_and_the_points_are_written_once_there_is_space(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_STORE", str(small_disk / "trialbook.db"))
    reset_store_cache()
    tracker = tb.Tracker.create("full")
    tb.flush()
    filler = _fill(small_disk)
    for step in range(20_000):
        tracker.log_metric("loss", 1.0 / (step + 1))
    with pytest.raises(StoreFullError) as raised:
        tracker.close()
    message = str(raised.value)
    assert f"The disk holding the Trialbook store {small_disk / 'trialbook.db'} is full" in message
    assert "points are kept and written again" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__

    filler.unlink()
    tracker.close()
    summary = open_store().metric_summaries([tracker.trial_component_name])
    assert summary[tracker.trial_component_name]["loss"].count == 20_000
    assert tb.TrialComponent.load(tracker.trial_component_name).status == tb.TrialStatus.COMPLETED


def test_a_full_disk_during_an_artifact_copy_leaves_no_temporary_file(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIALBOOK_STORE", str(tmp_path / "elsewhere" / "trialbook.db"))
    monkeypatch.setenv("TRIALBOOK_ARTIFACT_ROOT", str(small_disk / "artifacts"))
    reset_store_cache()
    big = tmp_path / "model.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    with tb.Tracker.create("copy") as tracker:
        with pytest.raises(StoreFullError) as raised:
            tracker.log_artifact(str(big))
        assert str(raised.value).startswith(
            f"The disk holding the artifact folder {small_disk / 'artifacts'} is full"
        )
        assert f"{big} was not copied and nothing was recorded" in str(raised.value)
        left = [p.name for p in (small_disk / "artifacts").rglob("*") if p.is_file()]
        assert left == []
        assert tb.TrialComponent.load(tracker.trial_component_name).output_artifacts == {}
