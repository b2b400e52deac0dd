"""A relative TRIALBOOK_STORE is resolved once, against the server's folder, before it is
exported: kernels started for notebooks in subfolders use the same store (#11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from trialbook.store import open_store, reset_store_cache

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def relative_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's folder holds `data/`; TRIALBOOK_STORE says `data/trialbook.db`."""
    server_folder = tmp_path / "server"
    (server_folder / "data").mkdir(parents=True)
    monkeypatch.chdir(server_folder)
    monkeypatch.setenv("TRIALBOOK_STORE", "data/trialbook.db")
    monkeypatch.setenv("TRIALBOOK_ARTIFACT_ROOT", "data/files")
    reset_store_cache()
    return server_folder / "data" / "trialbook.db"


async def test_a_kernel_in_a_subfolder_writes_to_the_servers_store(
    relative_store: Path, jp_serverapp, jp_root_dir: Path, api
) -> None:
    assert os.environ["TRIALBOOK_STORE"] == str(relative_store)  # exported absolute
    assert os.environ["TRIALBOOK_ARTIFACT_ROOT"] == str(relative_store.parent / "files")
    (jp_root_dir / "notebooks" / "deep").mkdir(parents=True)
    manager = jp_serverapp.kernel_manager
    kernel_id = await manager.start_kernel(path="notebooks/deep")
    client = manager.get_kernel(kernel_id).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        code = (
            "import os, json, trialbook as tb\n"
            "exp = tb.Experiment.create('from-subfolder', hypothesis='h')\n"
            "with exp.run():\n"
            "    pass\n"
            "print(json.dumps([os.getcwd(), os.environ['TRIALBOOK_STORE']]))\n"
        )
        outputs: list[str] = []

        def keep(message: dict) -> None:
            if message["header"]["msg_type"] == "stream":
                outputs.append(message["content"]["text"])

        reply = await client.execute_interactive(code, output_hook=keep, timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(kernel_id, now=True)
    cwd, store = json.loads("".join(outputs))
    assert Path(cwd).resolve() == (jp_root_dir / "notebooks" / "deep").resolve()
    assert store == str(relative_store)
    response = await api("GET", "experiments")
    assert [e["name"] for e in response.body["experiments"]] == ["from-subfolder"]


def test_the_library_resolves_a_relative_store_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    monkeypatch.setenv("TRIALBOOK_STORE", "store.db")
    reset_store_cache()
    first = open_store().path
    assert first == tmp_path / "a" / "store.db"
    assert os.environ["TRIALBOOK_STORE"] == str(first)  # subprocesses inherit it absolute
    monkeypatch.chdir(tmp_path / "a" / "sub")  # a notebook that changes folder
    assert open_store().path == first
