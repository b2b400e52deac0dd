"""System metrics: sampled by a background thread into ``system.*`` metrics of the component."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

import pytest

import trialbook as tb
from trialbook import system_metrics
from trialbook.store import open_store

EXPECTED = {
    "system.cpu_percent",
    "system.rss_mb",
    "system.memory_percent",
    "system.memory_used_mb",
    "system.memory_available_mb",
    "system.network_sent_mb_s",
    "system.network_received_mb_s",
}


def test_tracker_samples_in_a_background_thread_until_closed() -> None:
    with tb.Tracker.create("sys", system_metrics=0.05) as tracker:
        sampler = tracker._system_metrics
        assert sampler is not None and sampler._thread.is_alive()
        assert sampler._thread is not threading.current_thread()
        ballast = bytearray(64 * 1024 * 1024)  # the RSS must show it
        time.sleep(0.4)
        del ballast
    assert not sampler._thread.is_alive()
    component = tracker.trial_component
    assert set(component.metrics) >= EXPECTED
    rss = open_store().metric_points(tracker.trial_component_name, "system.rss_mb")
    assert len(rss.values) >= 3  # several periodic samples plus the last one at close
    assert rss.steps == list(range(len(rss.values)))
    assert max(rss.values) > 64
    memory = open_store().metric_points(tracker.trial_component_name, "system.memory_percent")
    assert all(0 < value <= 100 for value in memory.values)
    count = len(rss.values)
    time.sleep(0.2)  # nothing more is sampled after close
    tb.flush()
    assert (
        len(open_store().metric_points(tracker.trial_component_name, "system.rss_mb").values)
        == count
    )


def test_run_samples_with_the_default_interval_and_a_short_run_still_gets_one_sample() -> None:
    exp = tb.Experiment.create("sysm", hypothesis="h", variables={"lr": [0.1]})
    with exp.run(variables={"lr": 0.1}, system_metrics=True) as tracker:
        assert tracker._system_metrics.interval == system_metrics.DEFAULT_INTERVAL
        tracker.log_metric("loss", 1.0)
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    assert component.metrics["system.cpu_percent"].count == 1
    assert component.metrics["loss"].count == 1


def test_off_by_default_and_stopped_on_failure() -> None:
    with tb.Tracker.create("plain") as plain:
        assert plain._system_metrics is None
    assert not any(name.startswith("system.") for name in plain.trial_component.metrics)
    with pytest.raises(RuntimeError), tb.Tracker.create("f", system_metrics=0.05) as failing:
        sampler = failing._system_metrics
        raise RuntimeError("boom")
    assert not sampler._thread.is_alive()
    assert failing.trial_component.status == tb.TrialStatus.FAILED


@pytest.mark.parametrize("setting", [0, -1, "often", float("nan")])
def test_bad_intervals_are_rejected(setting: object) -> None:
    with pytest.raises(tb.ValidationError, match="system_metrics must be"):
        tb.Tracker.create("bad", system_metrics=setting)  # type: ignore[arg-type]


def test_no_gpu_is_one_info_line(caplog: pytest.LogCaptureFixture, monkeypatch) -> None:
    monkeypatch.setattr(system_metrics, "_said_why_no_gpu", False)
    with caplog.at_level(logging.INFO, logger="trialbook.system_metrics"):
        for _ in range(2):
            with tb.Tracker.create("gpu", system_metrics=0.05) as tracker:
                assert tracker._system_metrics._gpus == []  # no NVIDIA GPU on this machine
    lines = [record for record in caplog.records if "no GPU metrics" in record.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert not any(name.startswith("system.gpu") for name in tracker.trial_component.metrics)


def test_importing_trialbook_imports_no_integration_library() -> None:
    heavy = [
        "psutil",
        "pynvml",
        "optuna",
        "sklearn",
        "xgboost",
        "lightgbm",
        "keras",
        "torch",
        "lightning",
        "transformers",
        "trialbook.integrations",
    ]
    code = (
        "import sys, trialbook, trialbook.system_metrics\n"
        f"print([name for name in {heavy!r} if name in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
