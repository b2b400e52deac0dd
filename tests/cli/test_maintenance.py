"""`gc`, `db status|upgrade` and `doctor`."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

import trialbook
from tests.cli.conftest import invoke, invoke_json, populate
from trialbook.cli import exit_codes
from trialbook.store import open_store, reset_store_cache


def _old_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    hours_ago = time.time() - 2 * 3600
    os.utime(path, (hours_ago, hours_ago))
    return path


def test_gc_dry_run_then_yes(tmp_path: Path, store_path: Path) -> None:
    populate(tmp_path, points=3)
    objects = store_path.parent / "artifacts" / "objects"
    orphan = _old_file(objects / "ab" / "abcdef" / "old.bin", "unreferenced")
    incoming = _old_file(objects / ".incoming-x1y2", "half a copy")
    young = objects / "cd" / "cdef" / "new.bin"
    young.parent.mkdir(parents=True)
    young.write_text("maybe being recorded now")
    kept = open_store().get_component("mnist-data").output_artifacts["train.csv"]

    dry = invoke_json("gc")
    assert dry["dry_run"] is True
    assert {(item["path"], item["reason"]) for item in dry["files"]} == {
        (str(orphan), "unreferenced artifact"),
        (str(incoming), "temporary file"),
    }
    assert orphan.exists() and incoming.exists()
    assert "dry run: add --yes" in invoke("gc").output

    done = invoke_json("gc", "--yes")
    assert done["dry_run"] is False and len(done["files"]) == 2
    assert done["file_bytes"] == len("unreferenced") + len("half a copy")
    assert not orphan.exists() and not orphan.parent.exists() and not incoming.exists()
    assert young.exists()
    assert open_store().artifact_file(kept).read_text() == "x,y\n1,2\n"
    assert invoke_json("gc", "--yes")["files"] == []


def test_db_status_and_upgrade(tmp_path: Path, store_path: Path) -> None:
    trialbook.Experiment.create("e", description="d")
    status = invoke_json("db", "status")
    assert status["state"] == "current" and status["pending_migrations"] == 0
    assert status["schema_version"] == status["supported_version"] >= 1

    old = tmp_path / "old" / "trialbook.db"
    old.parent.mkdir()
    sqlite3.connect(old).close()  # an empty file: schema 0
    stale = invoke_json("--store", str(old), "db", "status", expect=exit_codes.STORE_VERSION)
    assert stale["state"] == "upgrade-needed" and stale["pending_migrations"] >= 1
    upgraded = invoke_json("--store", str(old), "db", "upgrade")
    assert upgraded["from"] == 0 and upgraded["to"] == status["supported_version"]
    assert invoke_json("--store", str(old), "db", "status")["state"] == "current"
    assert "nothing to do" in invoke("--store", str(old), "db", "upgrade").output

    reset_store_cache()
    with sqlite3.connect(store_path) as connection:
        connection.execute("PRAGMA user_version = 999")
    newer = invoke_json("db", "status", expect=exit_codes.STORE_VERSION)
    assert newer["state"] == "newer-than-trialbook"
    refused = invoke_json("ls", expect=exit_codes.STORE_VERSION)
    assert "newer Trialbook" in refused["error"] and "pip install -U trialbook" in refused["error"]
    missing = invoke_json("--store", str(tmp_path / "x.db"), "db", "upgrade", expect=3)
    assert "nothing to upgrade" in missing["error"]


def test_doctor_reports_store_versions_and_extensions(tmp_path: Path) -> None:
    populate(tmp_path, points=3)
    report = invoke_json("doctor", expect=None)
    store = report["store"]
    assert store["exists"] is True and store["chosen_by"] == "TRIALBOOK_STORE"
    assert (store["experiments"], store["trials"], store["components"]) == (2, 5, 7)
    assert store["schema_state"] == "current" and store["network_filesystem"] is None
    assert report["versions"]["trialbook"] and report["versions"]["jupyterlab"]
    assert set(report["extensions"]) == {"lab", "server"}
    for problem in report["problems"]:
        assert problem["problem"] and problem["fix"]


def test_doctor_gives_the_fix_for_a_missing_store(tmp_path: Path) -> None:
    report = invoke_json(
        "--store", str(tmp_path / "nowhere" / "t.db"), "doctor", expect=exit_codes.PROBLEMS_FOUND
    )
    assert report["store"]["exists"] is False
    assert any("No store at" in problem["problem"] for problem in report["problems"])
    text = invoke("--store", str(tmp_path / "nowhere" / "t.db"), "doctor", expect=7).output
    assert "Fix:" in text


def test_doctor_finds_a_disabled_lab_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trialbook.Experiment.create("e", description="d")
    config = tmp_path / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"trialbook": True}})
    )
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    report = invoke_json("doctor", expect=exit_codes.PROBLEMS_FOUND)
    assert report["extensions"]["lab"] is False
    [problem] = [p for p in report["problems"] if "JupyterLab extension" in p["problem"]]
    assert problem["fix"].startswith("jupyter labextension enable trialbook")
