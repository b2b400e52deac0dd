"""The server's store settings reach its kernels as absolute locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trialbook.server.config import Trialbook


def test_relative_store_and_artifact_root_are_exported_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Trialbook(store="data/tb.db", artifact_root="~/../files").export_to_environment()
    assert os.environ["TRIALBOOK_STORE"] == str(tmp_path / "data" / "tb.db")
    assert os.environ["TRIALBOOK_ARTIFACT_ROOT"] == os.path.abspath(
        os.path.expanduser("~/../files")
    )


def test_a_relative_store_inherited_by_the_server_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIALBOOK_STORE", "rel/x.db")
    monkeypatch.setenv("TRIALBOOK_ARTIFACT_ROOT", "art")
    Trialbook().export_to_environment()
    assert os.environ["TRIALBOOK_STORE"] == str(tmp_path / "rel" / "x.db")
    assert os.environ["TRIALBOOK_ARTIFACT_ROOT"] == str(tmp_path / "art")


def test_a_postgresql_url_is_exported_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://team@db.example:5432/tracking?schema=ml"
    Trialbook(store=url).export_to_environment()
    assert os.environ["TRIALBOOK_STORE"] == url
