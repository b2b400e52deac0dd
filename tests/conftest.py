"""Every test gets its own SQLite store in a temporary directory."""

from __future__ import annotations

import os
import sys
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
