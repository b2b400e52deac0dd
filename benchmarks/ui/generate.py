"""Data for the browser benchmark of the experiment view, written through the library.

    TRIALBOOK_STORE=/tmp/x/trialbook.db python benchmarks/ui/generate.py [--quick]

Three experiments: `bench-ui-big` (100,000 trials × 20 parameters × 5 metrics, written
straight into the SQLite store with the scale benchmark's bulk inserts: through `exp.run` they
would take minutes), `bench-ui-table` (10,000 trials; 3 variables, 60 parameters, 5 metrics, so
the table has ~100 columns with the default statistics) and `bench-ui-curves` (100 trials ×
10,000 steps of `loss`). `--quick` makes 3,000 big trials, 1,000 trials and 25 × 2,000 steps.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import trialbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scale import add_trials  # the scale benchmark's bulk writer

FULL = {
    "big": 100_000,
    "trials": 10_000,
    "parameters": 60,
    "metrics": 5,
    "steps": 3,
    "curves": 100,
    "curve_steps": 10_000,
}
QUICK = {
    "big": 3_000,
    "trials": 1_000,
    "parameters": 60,
    "metrics": 5,
    "steps": 3,
    "curves": 25,  # more than the 20 the chart shows by default
    "curve_steps": 2_000,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--big-only", action="store_true", help="only bench-ui-big (table-window.bench.ts)"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()

    # First, so that its trials take the ids the bulk writer gives them (1…N).
    trialbook.Experiment.create(
        "bench-ui-big",
        hypothesis="The windowed table stays interactive at 100,000 trials",
        objective={"metric": "m0", "goal": "minimize"},
        exist_ok=True,
    )
    trialbook.flush()
    add_trials(Path(os.environ["TRIALBOOK_STORE"]), "bench-ui-big", 0, sizes["big"])
    if args.big_only:
        print(json.dumps({"big": sizes["big"], "seconds": round(time.perf_counter() - started, 1)}))
        return

    table = trialbook.Experiment.create(
        "bench-ui-table",
        hypothesis="The experiment view stays fast at 10,000 trials",
        objective={"metric": "m0", "goal": "minimize"},
        exist_ok=True,
    )
    for index in range(sizes["trials"]):
        variables = {"index": index, "lr": 10 ** -(index % 5), "model": ("a", "b", "c")[index % 3]}
        with table.run(variables=variables) as tracker:
            tracker.log_parameters(
                {f"p{j:02d}": (index * 31 + j) % 97 / 7 for j in range(sizes["parameters"])}
            )
            for step in range(sizes["steps"]):
                tracker.log_metrics(
                    {
                        f"m{k}": math.sin(index * (k + 1) * 0.37) + 1 / (step + 1)
                        for k in range(sizes["metrics"])
                    },
                    step=step,
                )

    curves = trialbook.Experiment.create(
        "bench-ui-curves",
        hypothesis="A hundred long curves draw within a second",
        objective={"metric": "loss", "goal": "minimize"},
        exist_ok=True,
    )
    for index in range(sizes["curves"]):
        with curves.run(variables={"index": index, "group": index % 4}) as tracker:
            log = tracker.log_metric
            scale = 1 + index / sizes["curves"]
            for step in range(sizes["curve_steps"]):
                log(
                    "loss",
                    scale / (1 + step / 500) + 0.02 * math.sin(step * 0.05 + index),
                    step=step,
                )
    trialbook.flush()
    print(json.dumps({"sizes": sizes, "seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
