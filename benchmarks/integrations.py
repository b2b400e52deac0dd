"""Benchmark what the integrations cost: Optuna's callback per trial, system metrics' sampler.

(a) Optuna: the same study (random sampler, 10 ``trial.report`` calls per trial, a trivial
    objective: the worst case for a relative overhead) run without a callback, with
    ``TrialbookCallback`` and, as a peer, with Optuna's own SQLite storage. Reported: ms per
    trial each, Trialbook's added ms per trial, and its ratio to what Optuna's own SQLite
    storage adds.
(b) System metrics: a CPU-bound pure-Python loop on the training thread timed without
    sampling, with sampling every 10 s (the default) and every 10 ms (1,000× as often), best
    of several rounds; plus the cost of one sample on the sampler's thread.

Usage: python benchmarks/integrations.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def fresh_store(folder: Path, label: str) -> None:
    from trialbook.store import reset_store_cache

    reset_store_cache()
    os.environ["TRIALBOOK_STORE"] = str(folder / label / "trialbook.db")


def objective(trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    loss = (x - 2) ** 2 + lr + (optimizer == "sgd")
    for step in range(10):
        trial.report(loss + 10 - step, step)
    return loss


def time_study(trials: int, folder: Path, mode: str) -> float:
    """Seconds for ``trials`` trials; mode is "plain", "trialbook" or "optuna-sqlite"."""
    import optuna

    import trialbook as tb
    from trialbook.integrations.optuna import TrialbookCallback

    storage = f"sqlite:///{folder / f'optuna-{trials}.db'}" if mode == "optuna-sqlite" else None
    study = optuna.create_study(storage=storage, sampler=optuna.samplers.RandomSampler(seed=0))
    callbacks = []
    if mode == "trialbook":
        fresh_store(folder, f"optuna-{trials}")
        exp = tb.Experiment.create(f"bench-{trials}", description="overhead benchmark")
        callbacks.append(TrialbookCallback(exp))
    started = time.perf_counter()
    study.optimize(objective, n_trials=trials, callbacks=callbacks)
    if mode == "trialbook":
        tb.flush()
    return time.perf_counter() - started


def optuna_overhead(trials: int, folder: Path) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    time_study(5, folder, "plain")  # warm up imports and code paths
    plain = time_study(trials, folder, "plain")
    trialbook = time_study(trials, folder, "trialbook")
    optuna_sqlite = time_study(trials, folder, "optuna-sqlite")
    per = {
        name: seconds / trials * 1000
        for name, seconds in (
            ("plain", plain),
            ("trialbook", trialbook),
            ("optuna_sqlite", optuna_sqlite),
        )
    }
    added = per["trialbook"] - per["plain"]
    peer_added = per["optuna_sqlite"] - per["plain"]
    print(f"(a) Optuna, {trials} trials × 10 reports, random sampler, in-memory study:")
    print(f"    no callback              {per['plain']:8.2f} ms/trial")
    print(
        f"    + TrialbookCallback      {per['trialbook']:8.2f} ms/trial  "
        f"(adds {added:.2f} ms/trial)"
    )
    print(
        f"    Optuna's SQLite storage  {per['optuna_sqlite']:8.2f} ms/trial  "
        f"(adds {peer_added:.2f} ms/trial)"
    )
    print(f"    Trialbook's added cost / Optuna's own SQLite storage's: {added / peer_added:.2f}×")


def time_training(iterations: int, rounds: int, system_metrics: bool | float) -> float:
    """Best-of-rounds seconds of a CPU-bound loop inside a tracker with that sampling."""
    import trialbook as tb

    best = float("inf")
    for _ in range(rounds):
        with tb.Tracker.create("bench-sys", system_metrics=system_metrics):
            started = time.perf_counter()
            total = 0
            for value in range(iterations):
                total += value * value % 7
            best = min(best, time.perf_counter() - started)
    return best


def system_metrics_overhead(iterations: int, rounds: int, folder: Path) -> None:
    import trialbook as tb
    from trialbook.system_metrics import SystemMetricsSampler

    fresh_store(folder, "system")
    time_training(iterations // 10, 1, False)  # warm up
    off = time_training(iterations, rounds, False)
    default = time_training(iterations, rounds, True)
    frequent = time_training(iterations, rounds, 0.01)
    with tb.Tracker.create("bench-sample") as tracker:
        sampler = SystemMetricsSampler(tracker, 10.0)
        samples = 200
        started = time.perf_counter()
        for _ in range(samples):
            sampler.sample()
        per_sample = (time.perf_counter() - started) / samples * 1e6
    print(f"(b) System metrics, a CPU-bound loop of {iterations:,} iterations, best of {rounds}:")
    print(f"    off                      {off * 1000:8.1f} ms")
    print(f"    every 10 s (default)     {default * 1000:8.1f} ms  ({default / off:.3f}× off)")
    print(f"    every 10 ms              {frequent * 1000:8.1f} ms  ({frequent / off:.3f}× off)")
    print(f"    one sample, on the sampler's thread: {per_sample:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    arguments = parser.parse_args()
    # Quick: a smoke run of every measure (best of 1), too small to judge the ratios.
    trials = 10 if arguments.quick else 200
    iterations = 1_000_000 if arguments.quick else 10_000_000
    rounds = 1 if arguments.quick else 5
    if arguments.quick:
        print("quick: a smoke run of every measure; sizes too small to judge the ratios")
    print(
        f"{platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        optuna_overhead(trials, folder)
        system_metrics_overhead(iterations, rounds, folder)


if __name__ == "__main__":
    main()
