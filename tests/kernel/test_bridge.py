"""The live comm bridge in a real kernel, with jupyter_client playing the frontend."""

from __future__ import annotations

import math
import os
import queue
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

from trialbook.kernel.protocol import PROTOCOL_VERSION, TARGET_NAME

pytestmark = pytest.mark.timeout(180)


class Frontend:
    """Speaks the frontend's half of docs/protocol.md over a real kernel's channels."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.messages: list[dict[str, Any]] = []  # every trialbook comm message, in order
        self.buffers: list[list[bytes]] = []  # their binary buffers
        self.opened: list[dict[str, Any]] = []  # comm_open messages from the kernel

    def execute(self, code: str) -> None:
        msg_id = self.client.execute(code)
        while True:
            reply = self.client.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                assert reply["content"]["status"] == "ok", reply["content"]
                break
        self.drain(until_idle_of=msg_id)

    def drain(self, until_idle_of: str | None = None, seconds: float = 0.0) -> None:
        """Read iopub until the request went idle (and then for `seconds` more)."""
        deadline = None if until_idle_of else time.monotonic() + seconds
        while True:
            timeout = 5.0 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                message = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                if deadline is not None:
                    return
                raise
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "comm_open" and content.get("target_name") == TARGET_NAME:
                self.opened.append(content)
            elif kind == "comm_msg":
                self.messages.append(content["data"])
                self.buffers.append([bytes(buffer) for buffer in message.get("buffers", [])])
            elif (
                deadline is None
                and kind == "status"
                and content["execution_state"] == "idle"
                and message["parent_header"].get("msg_id") == until_idle_of
            ):
                if seconds:
                    deadline = time.monotonic() + seconds
                else:
                    return

    def send(self, comm_id: str, data: dict[str, Any]) -> None:
        message = self.client.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.client.shell_channel.send(message)

    def open(self, comm_id: str, data: dict[str, Any]) -> None:
        content = {"comm_id": comm_id, "target_name": TARGET_NAME, "data": data}
        self.client.shell_channel.send(self.client.session.msg("comm_open", content))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message.get("type") == kind]

    def buffers_of(self, message: dict[str, Any]) -> list[bytes]:
        return self.buffers[next(i for i, m in enumerate(self.messages) if m is message)]


def decode(delta: dict[str, Any], buffers: list[bytes]) -> list[tuple[float, float, float]]:
    """The points of a series delta, read from the message's float64 buffers."""
    count = delta["count"]
    columns = [
        struct.unpack(f"<{count}d", buffers[delta[name]]) for name in ("steps", "times", "values")
    ]
    return list(zip(*columns, strict=True))


@pytest.fixture
def frontend(store_path: Path, tmp_path: Path) -> Iterator[Frontend]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=dict(os.environ), cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        yield Frontend(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


CREATE = """
import trialbook
exp = trialbook.Experiment.create("live", hypothesis="points arrive live", exist_ok=True)
"""

TRAIN = """
with exp.run(variables={{"lr": {lr}}}) as tracker:
    tracker.log_parameter("batch_size", 32)
    for step in range({steps}):
        tracker.log_metric("loss", 1.0 / (step + 1), step=step)
    tracker.log_metric("loss", float("nan"), step={steps})
"""


def batch_points(frontend: Frontend, metric: str = "loss") -> list[tuple[int, Any]]:
    points = []
    for batch in frontend.of_type("batch"):
        for event in batch["events"]:
            if event["kind"] == "metrics" and metric in event["series"]:
                decoded = decode(event["series"][metric], frontend.buffers_of(batch))
                points.extend((int(step), value) for step, _, value in decoded)
    return points


def test_first_use_opens_a_comm_that_streams_after_the_frontend_hello(frontend):
    frontend.execute(CREATE)
    (opened,) = frontend.opened
    assert opened["data"]["type"] == "hello"
    assert opened["data"]["protocol"] == PROTOCOL_VERSION
    session = opened["data"]["session"]

    frontend.send(opened["comm_id"], {"type": "hello", "protocol": PROTOCOL_VERSION})
    frontend.execute(TRAIN.format(lr=0.1, steps=2000))
    frontend.drain(seconds=0.5)

    hello = frontend.of_type("hello")[0]
    assert hello["session"] == session
    assert frontend.of_type("snapshot")
    batches = frontend.of_type("batch")
    assert [batch["seq"] for batch in batches] == list(range(1, len(batches) + 1))
    assert all(batch["session"] == session for batch in batches)

    points = batch_points(frontend)
    assert [step for step, _ in points] == list(range(2001))
    assert points[0][1] == 1.0 and math.isnan(points[-1][1])

    events = [event for batch in batches for event in batch["events"]]
    statuses = [event["status"] for event in events if event["kind"] == "status"]
    assert statuses[0] == "InProgress" and statuses[-1] == "Completed"
    parameters = [event for event in events if event["kind"] == "parameters"]
    assert any(event["parameters"].get("batch_size") == 32 for event in parameters)
    trials = [event for event in events if event["kind"] == "trial"]
    assert trials and trials[0]["experiment"] == "live"
    metrics_event = next(event for event in events if event["kind"] == "metrics")
    assert metrics_event["experiments"] == ["live"]
    assert len(metrics_event["trials"]) == 1


def test_points_are_coalesced_into_few_messages(frontend):
    frontend.execute(CREATE)
    frontend.send(frontend.opened[0]["comm_id"], {"type": "hello", "protocol": PROTOCOL_VERSION})
    started = time.monotonic()
    frontend.execute(TRAIN.format(lr=0.01, steps=100_000))
    frontend.drain(seconds=0.5)
    elapsed = time.monotonic() - started

    assert len(batch_points(frontend)) == 100_001
    # About 15 batches a second at most (one per 66 ms), never one per point.
    assert len(frontend.of_type("batch")) <= 20 * elapsed + 5


def test_a_comm_nobody_answers_carries_no_batches(frontend):
    frontend.execute(CREATE)
    frontend.execute(TRAIN.format(lr=0.1, steps=5000))
    frontend.drain(seconds=0.5)

    assert len(frontend.opened) == 1  # opened once, on first use
    assert frontend.messages == []


def test_a_reloaded_page_opens_the_comm_and_gets_a_snapshot(frontend):
    frontend.execute(CREATE + TRAIN.format(lr=0.1, steps=50))

    frontend.open("reloaded-page", {"type": "hello", "protocol": PROTOCOL_VERSION})
    frontend.drain(seconds=1.0)

    hello, snapshot = frontend.of_type("hello")[0], frontend.of_type("snapshot")[0]
    assert snapshot["session"] == hello["session"]
    (training,) = [c for c in snapshot["components"] if c["trials"]]
    assert training["status"] == "Completed"
    assert training["experiments"] == ["live"]
    ((step, when, value),) = decode(training["latest"]["loss"], frontend.buffers_of(snapshot))
    assert step == 50 and math.isnan(value) and when > 0

    frontend.send("reloaded-page", {"type": "snapshot_request"})
    frontend.drain(seconds=0.5)
    assert len(frontend.of_type("snapshot")) == 2


def test_a_malformed_message_gets_an_error_and_changes_nothing(frontend):
    frontend.execute(CREATE)
    comm_id = frontend.opened[0]["comm_id"]
    frontend.send(comm_id, {"type": "drop tables"})
    frontend.send(comm_id, {"type": "hello", "protocol": PROTOCOL_VERSION})
    frontend.execute(TRAIN.format(lr=0.1, steps=10))
    frontend.drain(seconds=0.5)

    (error,) = frontend.of_type("error")
    assert "drop tables" in error["message"]
    assert len(batch_points(frontend)) == 11


def test_a_hello_for_another_protocol_gets_the_version_mismatch_error(frontend):
    frontend.execute(CREATE)
    comm_id = frontend.opened[0]["comm_id"]
    frontend.send(comm_id, {"type": "hello", "protocol": 999})
    frontend.execute(TRAIN.format(lr=0.1, steps=10))
    frontend.drain(seconds=0.5)

    (error,) = frontend.of_type("error")
    assert error["message"].startswith("Protocol mismatch:")
    assert f"protocol {PROTOCOL_VERSION}" in error["message"] and "999" in error["message"]
    assert frontend.of_type("hello") == [] and frontend.of_type("batch") == []


def test_a_huge_unknown_message_is_quoted_short(frontend):
    frontend.execute(CREATE)
    comm_id = frontend.opened[0]["comm_id"]
    frontend.send(comm_id, {"type": "junk", "payload": "x" * 10_000_000})
    frontend.send(comm_id, {"type": "hello", "protocol": PROTOCOL_VERSION})
    frontend.execute(TRAIN.format(lr=0.1, steps=10))
    frontend.drain(seconds=0.5)

    (error,) = frontend.of_type("error")
    assert "junk" in error["message"] and len(error["message"]) < 400
    assert len(batch_points(frontend)) == 11
