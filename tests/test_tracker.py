from __future__ import annotations

import hashlib
import math
import re
from datetime import datetime, timezone

import numpy as np
import pytest

import trialbook as tb
from trialbook.store import open_store


def _points(tracker: tb.Tracker, metric: str):
    tb.flush()
    return open_store().metric_points(tracker.trial_component_name, metric)


def test_create_names_and_context_statuses() -> None:
    tracker = tb.Tracker.create("train", display_name="Training", kind="training")
    assert re.fullmatch(r"train-\d{8}T\d{12}Z-[0-9a-f]{6}", tracker.trial_component_name)
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.IN_PROGRESS and component.start_time is not None
    tracker.close()
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED and component.end_time is not None
    with pytest.raises(ZeroDivisionError), tb.Tracker.create("f") as failing:
        1 / 0  # noqa: B018
    failed = failing.trial_component
    assert failed.status == tb.TrialStatus.FAILED
    assert failed.status_message == "ZeroDivisionError: division by zero"
    with pytest.raises(KeyboardInterrupt), tb.Tracker.create("s") as stopped:
        raise KeyboardInterrupt
    assert stopped.trial_component.status == tb.TrialStatus.STOPPED


def test_load_reenter_continues_step_counts() -> None:
    with tb.Tracker.create("t") as tracker:
        tracker.log_metric("m", 1.0)
        tracker.log_metric("m", 2.0)
    again = tb.Tracker.load(tracker.trial_component_name)
    assert again.trial_component.status == tb.TrialStatus.COMPLETED
    with again:
        again.log_metric("m", 3.0)
    assert _points(again, "m").steps == [0, 1, 2]


def test_log_metric_steps_timestamps_aliases() -> None:
    tracker = tb.Tracker.create("t")
    tracker.log_metric("loss", 1.0)
    tracker.log_metric("loss", 0.5, iteration_number=10)
    tracker.log_metric("loss", 0.25, step=20)
    tracker.log_metric("loss", 0.2, timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc))
    tracker.log_metric("loss", 0.1, timestamp=1_700_000_000.5, step=np.int64(5))
    tracker.log_metrics({"a": 1, "b": np.float32(2.5)}, step=7)
    series = _points(tracker, "loss")
    assert series.steps == [0, 10, 20, 3, 5]
    assert series.times[3] == datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp()
    assert series.times[4] == 1_700_000_000.5
    assert _points(tracker, "b").values == [2.5] and _points(tracker, "b").steps == [7]
    with pytest.raises(tb.ValidationError):
        tracker.log_metric("loss", 1.0, step=1, iteration_number=2)
    with pytest.raises(tb.ValidationError):
        tracker.log_metric("loss", 1.0, step=1.5)


def test_duplicates_are_kept_and_non_finite_values_stored_faithfully() -> None:
    tracker = tb.Tracker.create("t")
    for value in [1.0, float("nan"), math.inf, -math.inf, 1.0]:
        tracker.log_metric("v", value, step=0)
    series = _points(tracker, "v")
    assert series.steps == [0] * 5
    assert math.isnan(series.values[1]) and series.values[2:4] == [math.inf, -math.inf]
    summary = tracker.trial_component.metrics["v"]
    assert (summary.min, summary.max, summary.count) == (-math.inf, math.inf, 5)


@pytest.mark.parametrize("value", ["0.5", b"1", None, [1.0], {"a": 1}, object()])
def test_non_numeric_metric_values_are_rejected(value: object) -> None:
    tracker = tb.Tracker.create("t")
    with pytest.raises(tb.ValidationError, match="metric 'm'"):
        tracker.log_metric("m", value)


def test_bad_metric_names() -> None:
    tracker = tb.Tracker.create("t")
    for name in ["", "a/b", " x", 3]:
        with pytest.raises(tb.ValidationError):
            tracker.log_metric(name, 1.0)


def test_parameters_overwrite() -> None:
    tracker = tb.Tracker.create("t")
    tracker.log_parameter("lr", 0.1)
    tracker.log_parameters({"lr": 0.2, "bs": 32})
    assert tracker.trial_component.parameters == {"lr": 0.2, "bs": 32}


def test_inputs_outputs_and_artifact_files(tmp_path) -> None:
    tracker = tb.Tracker.create("t")
    tracker.log_input("train-data", "s3://bucket/train.csv", media_type="text/csv")
    tracker.log_output("model-uri", "s3://bucket/model.tar.gz")
    image = tmp_path / "confusion.png"
    image.write_bytes(b"\x89PNG fake")
    artifact = tracker.log_artifact(image)
    assert artifact.name == "confusion.png" and artifact.media_type == "image/png"
    assert artifact.sha256 == hashlib.sha256(b"\x89PNG fake").hexdigest() and artifact.size == 9
    stored = open_store().artifact_file(artifact)
    assert stored.read_bytes() == b"\x89PNG fake" and stored != image
    tracker.log_input_artifact(image, name="input-image")
    folder = tmp_path / "outputs"
    folder.mkdir()
    (folder / "a.json").write_text("{}")
    (folder / "b.txt").write_text("b")
    assert [a.name for a in tracker.log_artifacts(folder)] == ["a.json", "b.txt"]
    component = tracker.trial_component
    assert component.input_artifacts["train-data"].value == "s3://bucket/train.csv"
    assert component.input_artifacts["train-data"].media_type == "text/csv"
    assert set(component.output_artifacts) == {"model-uri", "confusion.png", "a.json", "b.txt"}
    assert open_store().get_artifact(artifact.id).name == "confusion.png"
    with pytest.raises(tb.ValidationError, match="does not exist"):
        tracker.log_artifact(tmp_path / "missing.bin")
    with pytest.raises(tb.ValidationError, match="directory"):
        tracker.log_artifacts(tmp_path / "nope")
    with pytest.raises(tb.NotFoundError):
        open_store().get_artifact(10_000)


def test_relogging_an_artifact_overwrites_it(tmp_path) -> None:
    tracker = tb.Tracker.create("t")
    file = tmp_path / "model.bin"
    file.write_bytes(b"one")
    first = tracker.log_artifact(file)
    file.write_bytes(b"two")
    second = tracker.log_artifact(file)
    assert first.id == second.id
    assert open_store().artifact_file(second).read_bytes() == b"two"
    assert not open_store().artifact_file(first).exists()


def test_flush_makes_points_durable_and_repr() -> None:
    tracker = tb.Tracker.create("t")
    for step in range(1000):
        tracker.log_metric("m", float(step))
    tb.flush()
    assert (
        open_store()
        .metric_summaries([tracker.trial_component_name])[tracker.trial_component_name]["m"]
        .count
        == 1000
    )
    assert "open" in repr(tracker)
