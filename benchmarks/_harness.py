"""What the benchmarks share: a real Jupyter Server with Trialbook, a keep-alive client, and the
cost of one log_metric call."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPOSITORY = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def jupyter_server(store: Path, workdir: Path) -> Iterator[ApiClient]:
    """`jupyter server` on a free loopback port with a token, its store at `store`."""
    port, token = free_port(), secrets.token_hex(16)
    python_path = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "TRIALBOOK_STORE": str(store), "PYTHONPATH": python_path}
    config = workdir / "jupyter_server_config.json"
    config.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"trialbook": True}}}))
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        "--no-browser",
        "--allow-root",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={workdir}",
        f"--config={config}",
    ]
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    client = ApiClient(port, token)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter server exited; see {workdir / 'server.log'}")
            try:
                client.get("/api/status")
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def api_path(parts: tuple[str, ...]) -> str:
    """A Trialbook REST path; each name percent-encoded whole (names may hold any but '/')."""
    return "/trialbook/api/" + "/".join(quote(part, safe="") for part in parts)


class ApiClient:
    """One keep-alive HTTP connection with the token, like a browser tab."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method: str, path: str, body: Any = None) -> bytes:
        headers = {"Authorization": f"token {self.token}"}
        payload = None if body is None else json.dumps(body)
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # a fresh connection for the next request
            raise
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} → {response.status}: {data[:300]!r}")
        return data

    def get(self, path: str, params: list[tuple[str, Any]] = ()) -> bytes:
        return self.request("GET", path + ("?" + urlencode(list(params)) if params else ""))

    def post(self, path: str, body: Any) -> bytes:
        return self.request("POST", path, body)

    def api(self, *parts: str, params: list[tuple[str, Any]] = ()) -> bytes:
        return self.get(api_path(parts), params)

    def patch(self, parts: tuple[str, ...], body: Any) -> bytes:
        return self.request("PATCH", api_path(parts), body)

    def close(self) -> None:
        self.connection.close()


def log_metric_latency(points: int) -> tuple[float, float]:
    """p50 and p99 of one log_metric call on the caller's thread, in microseconds, the cost of
    reading the clock subtracted; a fresh tracker of the store TRIALBOOK_STORE names."""
    import trialbook as tb

    tracker = tb.Tracker.create("latency")
    clock = time.perf_counter_ns
    samples = [0] * points
    log = tracker.log_metric
    for step in range(points):
        started = clock()
        log("loss", 0.5, None, step)
        samples[step] = clock() - started
    tracker.close()
    empty = []
    for _ in range(10_000):
        started = clock()
        empty.append(clock() - started)
    clock_cost = statistics.median(empty)
    samples.sort()
    p50 = max(samples[len(samples) // 2] - clock_cost, 0) / 1000
    p99 = max(samples[int(len(samples) * 0.99)] - clock_cost, 0) / 1000
    return p50, p99
