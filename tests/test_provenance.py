"""Provenance outside and inside a real kernel; the seed scenario run in a kernel."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

import trialbook as tb
from trialbook import provenance


def test_outside_a_kernel() -> None:
    info = provenance.capture()
    assert info["pid"] == os.getpid() and info["host"]
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert "argv" in info and "notebook_path" not in info
    assert "pytest" in info["packages"] and info["trialbook"] == tb.__version__


def test_git_state(tmp_path: Path) -> None:
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f.txt").write_text("a")
    git("add", "f.txt")
    git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "x")
    state = provenance._read_git(str(tmp_path))
    assert len(state["commit"]) == 40 and state["dirty"] is False
    (tmp_path / "f.txt").write_text("b")
    assert provenance._read_git(str(tmp_path))["dirty"] is True
    assert provenance._read_git("/") is None


SEED_SCENARIO = textwrap.dedent("""
    import trialbook as tb
    exp = tb.Experiment.create(
        "cifar10-custom-vs-resnet",
        hypothesis="My custom model beats ResNet50 on CIFAR10",
        objective={"metric": "val_accuracy", "goal": "maximize"},
        variables={"model": ["custom", "resnet50"], "lr": tb.Range(1e-3, 1e-1, scale="log", num=2)},
        exist_ok=True,
    )
    with tb.Tracker.create("preprocessing", display_name="Preprocessing", kind="dataset") as pre:
        pre.log_parameters({"normalize": True, "mean": 0.4914})
        pre.log_input("cifar10", "s3://bucket/cifar10")
    for variables in exp.grid():
        with exp.run(variables=variables) as tracker:
            for epoch in range(3):
                tracker.log_metric("val_accuracy", 0.5 + epoch * variables["lr"], step=epoch)
        trial = exp.list_trials()[-1]
        trial.add_trial_component(pre)
    print("done", tracker.trial_component_name)
""")


KERNEL_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


@pytest.fixture
def kernel(store_path: Path, tmp_path: Path):
    """A real ipykernel whose connection file is named as Jupyter Server names it."""
    from jupyter_client.manager import KernelManager

    env = dict(os.environ)
    env["JPY_SESSION_NAME"] = "notebooks/seed.ipynb"
    manager = KernelManager(
        kernel_name="python3", connection_file=str(tmp_path / f"kernel-{KERNEL_ID}.json")
    )
    manager.start_kernel(env=env, cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _execute(client, code: str, cell_id: str) -> dict:
    message = client.session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        metadata={"cellId": cell_id},
    )
    client.shell_channel.send(message)
    while True:
        reply = client.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == message["header"]["msg_id"]:
            return reply["content"]


def test_seed_scenario_in_a_real_kernel_read_back_here(kernel) -> None:
    _manager, client = kernel
    _execute(client, "x = 1", "warmup-cell")
    reply = _execute(client, SEED_SCENARIO, "cell-seed-1")
    assert reply["status"] == "ok", reply
    count = reply["execution_count"]
    exp = tb.Experiment.load("cifar10-custom-vs-resnet")
    trials = exp.list_trials()
    assert len(trials) == 4
    assert all(t.status == tb.TrialStatus.COMPLETED for t in trials)
    components = trials[0].list_trial_components()
    (component,) = [c for c in components if c.kind == "training"]
    info = component.provenance
    assert info["notebook_path"] == "notebooks/seed.ipynb"
    assert info["cell_id"] == "cell-seed-1"
    assert info["cell_source"] == SEED_SCENARIO
    assert info["execution_count"] == count
    assert info["kernel_id"] == KERNEL_ID
    assert info["pid"] != os.getpid()
    (pre,) = [c for c in components if c.kind == "dataset"]
    assert pre.display_name == "Preprocessing" and len(pre.trial_names) == 4
    assert pre.parameters == {"normalize": True, "mean": 0.4914}
    frame = exp.dataframe()
    assert len(frame) == 4 and frame["val_accuracy - Count"].tolist() == [3, 3, 3, 3]
    assert frame["ObjectiveValue"].max() == pytest.approx(0.5 + 2 * 0.1)
    analytics = tb.ExperimentAnalytics("cifar10-custom-vs-resnet").dataframe()
    assert len(analytics) == 5
