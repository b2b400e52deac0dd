"""Kill test: how many logged points a SIGKILL loses, at 10k/s, 100k/s and unthrottled.

A child process logs one metric at a given rate and publishes how many ``log_metric`` calls
have returned (an 8-byte counter in a shared memory-mapped file, so it survives the kill).
After a few seconds the parent SIGKILLs it and counts the points durable in the store.
Reported per rate: points reached vs durable, the loss in points and in seconds of logging
(lost / the rate of the last second), the child's peak RSS while logging (above its RSS
before the first point) and the age of the component's heartbeat at the kill. A last run
logs unthrottled and then calls ``close()``: the drain time. The writer's sustained rate
while the loop logs unthrottled is compared with the floor, raw ``executemany`` into the
same table, measured in the same run.

Usage: python benchmarks/kill.py [--quick]
"""

from __future__ import annotations

import argparse
import mmap
import os
import platform
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS.parent))
sys.path.insert(0, str(BENCHMARKS))

COUNTER = struct.Struct("<q")
RATES: list[int | None] = [10_000, 100_000, None]  # None: as fast as the loop runs


# -- the child -------------------------------------------------------------------------------
def child(rate: int | None, counter_path: Path, close_after: float | None) -> None:
    """Log until killed (or, with ``close_after``, for that long and then close)."""
    import warnings

    import trialbook as tb

    warnings.simplefilter("ignore")  # the backpressure warning is expected here
    with counter_path.open("r+b") as file:
        counter = mmap.mmap(file.fileno(), COUNTER.size)
    tracker = tb.Tracker.create("killed")
    log = tracker.log_metric
    publish = COUNTER.pack_into
    print(tracker.trial_component_name, flush=True)  # ready: the parent reads the baseline RSS
    started = time.perf_counter()
    step = 0
    while True:
        if rate is None:  # publish every 256 points: under a millisecond of logging
            for _ in range(256):
                log("loss", 0.5, None, step)
                step += 1
            publish(counter, 0, step)
        else:  # publish every point; check the clock every millisecond's worth
            for _ in range(max(1, rate // 1000)):
                log("loss", 0.5, None, step)
                step += 1
                publish(counter, 0, step)
        elapsed = time.perf_counter() - started
        if close_after is not None and elapsed >= close_after:
            break
        if rate is not None:
            ahead = step / rate - elapsed
            if ahead > 0:
                time.sleep(ahead)
    closing = time.perf_counter()
    tracker.close()
    print(f"{time.perf_counter() - closing:.3f}", flush=True)


# -- the parent ------------------------------------------------------------------------------
def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def durable_points(store: Path) -> tuple[int, float | None]:
    """Points of the killed component in the store, and its heartbeat time."""
    with sqlite3.connect(store) as connection:
        points = connection.execute("SELECT count(*) FROM metric_points").fetchone()[0]
        heartbeat = connection.execute("SELECT max(heartbeat_time) FROM components").fetchone()[0]
    return points, heartbeat


def start_child(
    folder: Path, rate: int | None, close_after: float | None
) -> tuple[subprocess.Popen[str], mmap.mmap, Path]:
    store = folder / "trialbook.db"
    counter_path = folder / "counter"
    counter_path.write_bytes(b"\0" * COUNTER.size)
    env = {
        **os.environ,
        "TRIALBOOK_STORE": str(store),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(BENCHMARKS.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    command = [sys.executable, __file__, "--child", str(rate or 0), str(counter_path)]
    if close_after is not None:
        command += ["--close-after", str(close_after)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.readline()  # the component name: ready
    with counter_path.open("r+b") as file:
        counter = mmap.mmap(file.fileno(), COUNTER.size)
    return process, counter, store


def kill_run(folder: Path, rate: int | None, seconds: float) -> dict[str, float]:
    process, counter, store = start_child(folder, rate, None)
    baseline = rss_kib(process.pid)
    peak = baseline
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        time.sleep(0.05)
        peak = max(peak, rss_kib(process.pid))
        samples.append((time.monotonic(), COUNTER.unpack_from(counter, 0)[0]))
    process.send_signal(signal.SIGKILL)
    killed_at = time.time()
    process.wait()
    durable, heartbeat = durable_points(store)
    # Unthrottled, the counter lags by < 256 points: a point may be durable, not yet counted.
    reached = max(COUNTER.unpack_from(counter, 0)[0], durable)
    last = samples[-1][0]
    earlier = next((s for s in samples if s[0] >= last - 1.0), samples[0])
    recent_rate = (samples[-1][1] - earlier[1]) / max(samples[-1][0] - earlier[0], 1e-9)
    return {
        "reached": reached,
        "durable": durable,
        "lost": reached - durable,
        "seconds_lost": (reached - durable) / recent_rate if recent_rate else 0.0,
        "rate": reached / (last - started) if last > started else 0.0,
        "recent_rate": recent_rate,
        "peak_rss_mib": (peak - baseline) / 1024,
        "heartbeat_age": killed_at - heartbeat if heartbeat else float("nan"),
        "logging_seconds": last - started,
    }


def drain_run(folder: Path, seconds: float) -> tuple[float, int, int]:
    """Log unthrottled for ``seconds``, then close(): its drain time, points logged, durable."""
    process, counter, store = start_child(folder, None, seconds)
    assert process.stdout is not None
    drain = float(process.stdout.readline())
    process.wait()
    return drain, COUNTER.unpack_from(counter, 0)[0], durable_points(store)[0]


def store_alone(folder: Path, points: int) -> float:
    """Points/s through the store's own ``append_metric_points`` in 32,768-point batches,
    with no logging thread competing: the store's ceiling for the writer."""
    import warnings

    os.environ["TRIALBOOK_STORE"] = str(folder / "trialbook.db")
    from trialbook.store import open_store, reset_store_cache

    reset_store_cache()
    warnings.simplefilter("ignore")
    import trialbook as tb

    tracker = tb.Tracker.create("alone")
    store = open_store()
    now = time.time()
    rows = [(step, now, 0.5) for step in range(points)]
    key = (tracker.trial_component_name, "loss")
    started = time.perf_counter()
    for start in range(0, points, 32_768):
        store.append_metric_points({key: rows[start : start + 32_768]})
    rate = points / (time.perf_counter() - started)
    tracker.close()
    reset_store_cache()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (SIGKILL after 0.5 s)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--close-after", type=float, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        rate = int(options.child[0]) or None
        child(rate, Path(options.child[1]), options.close_after)
        return
    from log_metrics import floor

    # Quick: a smoke run of every path (each rate, the floors, the drain) at half a second each.
    seconds = 0.5 if options.quick else 5.0
    floor_points = 100_000 if options.quick else 500_000
    mode = "quick smoke run, too short to judge the targets" if options.quick else "full"
    print(f"trialbook kill test ({mode}: SIGKILL after {seconds:g} s)")
    print(
        f"python {platform.python_version()} · sqlite {sqlite3.sqlite_version} · "
        f"{platform.machine()} · {os.cpu_count()} cpus · "
        + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    )
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        unthrottled: dict[str, float] = {}
        floors: list[float] = []
        alone: list[float] = []
        for index, rate in enumerate(RATES):
            run_folder = folder / f"run{index}"
            run_folder.mkdir()
            if rate is None:  # bracket the run with the floors: the machine's load drifts
                floors.append(floor(1, floor_points, folder, "floor-before"))
                alone.append(store_alone(folder / "before", floor_points))
            result = kill_run(run_folder, rate, seconds)
            if rate is None:
                floors.append(floor(1, floor_points, folder, "floor-after"))
                alone.append(store_alone(folder / "after", floor_points))
            label = f"{rate:,}/s" if rate else "unthrottled"
            print(
                f"{label:>12}: reached {result['reached']:,.0f} ({result['rate']:,.0f}/s), durable "
                f"{result['durable']:,.0f}, lost {result['lost']:,.0f} = "
                f"{result['seconds_lost']:.2f} s of logging (target ≤ ~1 s); peak RSS "
                f"+{result['peak_rss_mib']:.0f} MiB; heartbeat {result['heartbeat_age']:.1f} s "
                "old (beats every 5 s)"
            )
            if rate is None:
                unthrottled = result
        drain_folder = folder / "drain"
        drain_folder.mkdir()
        drain, logged, durable = drain_run(drain_folder, seconds)
        print(
            f"close() after {seconds:g} s unthrottled: {drain:.3f} s to drain; "
            f"{durable:,} of {logged:,} points durable"
        )
        written = unthrottled["durable"] / unthrottled["logging_seconds"]
        base, ceiling = sum(floors) / 2, sum(alone) / 2
        print(
            f"writer while the loop logs unthrottled: {written:,.0f} points/s durable; floor (raw "
            f"executemany, before/after) {floors[0]:,.0f}/{floors[1]:,.0f} points/s → "
            f"{written / base:.0%}; the store alone (append_metric_points, no logging thread) "
            f"{alone[0]:,.0f}/{alone[1]:,.0f} points/s → {written / ceiling:.0%}"
        )


if __name__ == "__main__":
    main()
