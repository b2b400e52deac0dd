"""Benchmark of the live bridge (issue 5): kernel → Jupyter Server → websocket client.

A real Jupyter Server (default iopub rate limits) runs a real kernel; this script is the
frontend, speaking docs/protocol.md over the kernel's websocket as JupyterLab does.

    python benchmarks/live.py            # full size
    python benchmarks/live.py --quick    # smoke run, well under a minute

It reports, all in one run:
  (a) latency from `log_metric` in the kernel to the point arriving at the websocket client
      (median, p95; a browser adds at most one animation frame to draw it) — target ≤ 250 ms;
  (b) points per second carried live, and how many were lost (seq gaps or missing points),
      while the kernel logs as fast as it can — target ≥ 50,000/s with none lost;
  (c) the training loop's rate with a frontend streaming vs with none attached — the
      slowdown should be within noise.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from _harness import jupyter_server
from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from trialbook.kernel.protocol import PROTOCOL_VERSION, TARGET_NAME

FULL = {"latency_points": 200, "flood_points": 2_000_000, "loop_points": 1_000_000, "rounds": 3}
# A smoke run of every measure, too small to judge the targets.
QUICK = {"latency_points": 20, "flood_points": 50_000, "loop_points": 50_000, "rounds": 1}

SETUP = """
import time, trialbook
exp = trialbook.Experiment.create("live-benchmark", hypothesis="live is fast", exist_ok=True)
"""


class KernelSocket:
    """The frontend's end of a kernel websocket: execute code, speak the trialbook comm."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.session = uuid.uuid4().hex
        self.comm_id: str | None = None
        self.batches: list[dict[str, Any]] = []
        # (arrival time, batch, its buffers)
        self.received: list[tuple[float, dict[str, Any], list[bytes]]] = []
        self.loss_points = 0  # `loss` points in every batch received

    def _send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "benchmark",
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        message = {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
        self.connection.write_message(json.dumps(message))
        return msg_id

    async def execute(self, code: str) -> float:
        """Run code; return the seconds from request to idle."""
        started = time.perf_counter()
        msg_id = self._send("shell", "execute_request", {"code": code, "silent": False})
        while True:
            message = await self._read()
            parent = message.get("parent_header", {}).get("msg_id")
            kind = message["header"]["msg_type"]
            if parent == msg_id and kind == "error":
                raise RuntimeError("\n".join(message["content"]["traceback"]))
            if (
                parent == msg_id
                and kind == "status"
                and message["content"]["execution_state"] == "idle"
            ):
                return time.perf_counter() - started

    async def drain(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Read messages for ``seconds``, or until ``until()`` holds."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until()):
            try:
                await asyncio.wait_for(self._read(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                return

    async def _read(self) -> dict[str, Any]:
        raw = await self.connection.read_message()
        if raw is None:
            raise RuntimeError("the kernel websocket closed")
        arrived = time.time()
        # Messages with binary buffers arrive as binary frames (offsets, JSON, buffers).
        message = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "comm_open" and content.get("target_name") == TARGET_NAME:
            self.comm_id = content["comm_id"]
        elif kind == "comm_msg" and content.get("comm_id") == self.comm_id:
            data = content["data"]
            if data.get("type") == "batch":
                self.received.append((arrived, data, message.get("buffers", [])))
                self.loss_points += sum(
                    event.get("series", {}).get("loss", {}).get("count", 0)
                    for event in data["events"]
                    if event["kind"] == "metrics"
                )
        return message

    def hello(self) -> None:
        assert self.comm_id, "the kernel opened no trialbook comm"
        data = {"type": "hello", "protocol": PROTOCOL_VERSION}
        self._send("shell", "comm_msg", {"comm_id": self.comm_id, "data": data})

    def close_comm(self) -> None:
        self._send("shell", "comm_close", {"comm_id": self.comm_id, "data": {}})

    def reopen_comm(self) -> None:
        self.comm_id = uuid.uuid4().hex
        data = {"type": "hello", "protocol": PROTOCOL_VERSION}
        self._send(
            "shell",
            "comm_open",
            {"comm_id": self.comm_id, "target_name": TARGET_NAME, "data": data},
        )

    def points(self, since: int = 0) -> list[tuple[float, float, float]]:
        """(arrival, step, value) of every `loss` point received in batches[since:]."""
        found = []
        for arrived, batch, buffers in self.received[since:]:
            for event in batch["events"]:
                series = event.get("series", {}).get("loss") if event["kind"] == "metrics" else None
                if series:
                    count = series["count"]
                    steps, values = (
                        struct.unpack(f"<{count}d", buffers[series[column]])
                        for column in ("steps", "values")
                    )
                    found.extend(
                        (arrived, step, value) for step, value in zip(steps, values, strict=True)
                    )
        return found

    def seq_gaps(self) -> int:
        seqs = [batch["seq"] for _, batch, _ in self.received]
        return sum(1 for a, b in itertools.pairwise(seqs) if b != a + 1)


def loop_code(name: str, points: int, pause: float = 0.0, clock_values: bool = False) -> str:
    value = "time.time()" if clock_values else "1.0 / (step + 1)"
    sleep = f"\n        time.sleep({pause})" if pause else ""
    return (
        f"with exp.run(variables={{'run': {name!r}}}) as tracker:\n"
        f"    log = tracker.log_metric\n"
        f"    for step in range({points}):\n"
        f"        log('loss', {value}, step=step){sleep}\n"
    )


async def run(sizes: dict[str, int], workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with jupyter_server(workdir / "trialbook.db", workdir) as client:
        kernel = json.loads(client.post("/api/kernels", {"name": "python3"}))
        url = (
            f"ws://127.0.0.1:{client.port}/api/kernels/{kernel['id']}/channels?token={client.token}"
        )
        connection = await websocket_connect(url, max_message_size=256 * 1024 * 1024)
        socket = KernelSocket(connection)
        await socket.execute(SETUP)
        socket.hello()
        await socket.drain(0.5)

        # (a) latency: one point every 20 ms carrying the kernel's clock.
        start, before = len(socket.received), socket.loss_points
        await socket.execute(loop_code("latency", sizes["latency_points"], 0.02, True))
        await socket.drain(0.5, lambda: socket.loss_points - before >= sizes["latency_points"])
        latencies = [(arrived - value) * 1000 for arrived, _, value in socket.points(start)]
        results["latency_ms"] = latencies

        # (b) flood: log as fast as possible, count what arrives.
        start, before = len(socket.received), socket.loss_points
        started = time.perf_counter()
        await socket.execute(loop_code("flood", sizes["flood_points"]))
        await socket.drain(1.5, lambda: socket.loss_points - before >= sizes["flood_points"])
        arrived = socket.points(start)
        last_arrival = max((a for a, _, _ in arrived), default=time.time())
        elapsed = last_arrival - (time.time() - (time.perf_counter() - started))
        results["flood"] = {
            "logged": sizes["flood_points"],
            "received": len(arrived),
            "seconds": elapsed,
            "gaps": socket.seq_gaps(),
            "batches": len(socket.received) - start,
        }

        # (c) the training loop with and without a frontend streaming, alternated.
        streaming, alone = [], []
        for index in range(sizes["rounds"]):
            seconds = await socket.execute(loop_code(f"with-{index}", sizes["loop_points"]))
            streaming.append(sizes["loop_points"] / seconds)
            socket.close_comm()
            await socket.drain(0.3)
            seconds = await socket.execute(loop_code(f"alone-{index}", sizes["loop_points"]))
            alone.append(sizes["loop_points"] / seconds)
            socket.reopen_comm()
            await socket.drain(0.5)
        results["loop"] = {"streaming": streaming, "alone": alone}
        connection.close()
    return results


def report(sizes: dict[str, int], results: dict[str, Any]) -> None:
    latencies = sorted(results["latency_ms"])
    flood = results["flood"]
    loop = results["loop"]
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"sizes: {sizes}")
    print(
        f"(a) log_metric → websocket client: median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms over {len(latencies)} points (target median ≤ 250 ms)"
    )
    rate = flood["received"] / flood["seconds"] if flood["seconds"] > 0 else float("nan")
    lost = flood["logged"] - flood["received"]
    print(
        f"(b) carried live: {rate:,.0f} points/s in {flood['batches']} batches; "
        f"lost {lost} points, {flood['gaps']} seq gaps (target ≥ 50,000/s, none lost)"
    )
    with_rate, alone_rate = statistics.median(loop["streaming"]), statistics.median(loop["alone"])
    print(
        f"(c) training loop: {with_rate:,.0f} points/s streaming vs {alone_rate:,.0f} alone → "
        f"{with_rate / alone_rate:.2f}× (1.00 = no slowdown; noise here is ±10–40%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run, well under a minute")
    arguments = parser.parse_args()
    sizes = QUICK if arguments.quick else FULL
    if arguments.quick:
        print("quick: a smoke run of every measure; sizes too small to judge the targets")
    with tempfile.TemporaryDirectory(prefix="tb-live-") as directory:
        results = asyncio.run(run(sizes, Path(directory)))
    report(sizes, results)
    flood = results["flood"]
    return 0 if flood["received"] == flood["logged"] and flood["gaps"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
