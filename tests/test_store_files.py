"""Store file faults give a precise error naming the file and what to do, never a raw one:
read-only stores (read, refuse writes), corrupt or foreign files, unusable parent paths, a
full disk (points kept and written once there is space), no temporary files left behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import trialbook as tb
from trialbook.errors import StoreReadOnlyError
from trialbook.store import open_store, reset_store_cache

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
