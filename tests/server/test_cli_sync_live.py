"""A JupyterLab server on the team store sees `trialbook sync` arrive through its change feed."""

import asyncio
import os
import sys
import time

NODE_SCRIPT = """
import trialbook
exp = trialbook.Experiment.create("on-a-node", hypothesis="Offline runs sync in live")
with exp.run(variables={"lr": 0.1}) as tracker:
    for step in range(100):
        tracker.log_metric("loss", 1.0 / (step + 1), iteration_number=step)
"""


async def _run(*command, env=None):
    process = await asyncio.create_subprocess_exec(*command, env=env)
    assert await process.wait() == 0


async def test_synced_trials_wake_the_change_feed(api, tmp_path, store_path):
    node = tmp_path / "node" / "trialbook.db"
    await _run(sys.executable, "-c", NODE_SCRIPT, env={**os.environ, "TRIALBOOK_STORE": str(node)})
    cursor = (await api("GET", "changes")).body["cursor"]
    poll = asyncio.ensure_future(
        api("GET", "changes", params=[("since", cursor), ("timeout", 30)], timeout=60)
    )
    await asyncio.sleep(0.3)
    assert not poll.done()

    target = os.environ["TRIALBOOK_STORE"]  # the server's store: a SQLite file or PostgreSQL
    await _run(sys.executable, "-m", "trialbook", "sync", str(node), target)
    started = time.monotonic()
    response = await asyncio.wait_for(poll, 10)
    assert time.monotonic() - started < 5  # woken by the sync, not by the timeout
    later = await api("GET", "changes", params=[("since", cursor), ("timeout", 0)])
    changes = later.body["changes"]
    assert response.body["changes"]
    assert {"experiment.created", "trial.created", "metrics.appended"} <= {
        change["kind"] for change in changes
    }
    trials = await api("GET", "experiments", "on-a-node", "trials")
    [trial] = trials.body["trials"]
    assert trial["status"] == "Completed" and trial["variables"] == {"lr": 0.1}
    assert trial["metrics"]["loss"]["count"] == 100
