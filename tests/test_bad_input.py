"""Bad input gets a clear ValidationError at the API boundary, never a raw error from deep
inside, and never a point that later blocks the writer (#11)."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

import trialbook as tb
from trialbook import names
from trialbook.store import metric_writer, open_store


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"step": 2**64}, "does not fit in 64 bits"),
        ({"step": -(2**63) - 1}, "does not fit in 64 bits"),
        ({"timestamp": float("nan")}, "finite epoch seconds"),
        ({"timestamp": float("inf")}, "finite epoch seconds"),
        ({"timestamp": np.float64("inf")}, "finite epoch seconds"),
        pytest.param({"timestamp": 10**400}, "finite epoch seconds", id="timestamp-10**400"),
        ({"timestamp": "yesterday"}, "finite epoch seconds"),
        ({"timestamp": True}, "finite epoch seconds"),
    ],
)
def test_the_fast_path_refuses_points_the_store_cannot_hold(
    arguments: dict[str, object], message: str
) -> None:
    tracker = tb.Tracker.create("bad")
    tracker.log_metric("m", 1.0)
    with pytest.raises(tb.ValidationError, match=message):
        tracker.log_metric("m", 2.0, **arguments)
    tracker.log_metric("m", 3.0)  # a refused point neither blocks the writer nor takes a step
    tb.flush()
    points = open_store().metric_points(tracker.trial_component_name, "m")
    assert (points.steps, points.values) == ([0, 1], [1.0, 3.0])
    assert metric_writer().pending_points == 0
    tracker.close()


def test_timestamps_of_any_numeric_type_are_accepted_when_finite() -> None:
    tracker = tb.Tracker.create("times")
    stamp = datetime(2026, 1, 2, tzinfo=timezone.utc)
    for when in (1.7e9, 1_700_000_000, np.float64(1.7e9), np.int64(1_700_000_000), stamp):
        tracker.log_metric("m", 1.0, timestamp=when)
    tb.flush()
    times = open_store().metric_points(tracker.trial_component_name, "m").times
    assert times == [1.7e9, 1.7e9, 1.7e9, 1.7e9, stamp.timestamp()]
    tracker.close()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(10**400, "too large for a float", id="10**400"),
        (True, "got a bool"),
        (np.bool_(False), "got a bool"),
        (np.array([1.0, 2.0]), "must be a number"),
    ],
)
def test_metric_values_that_are_not_one_real_number_are_refused(
    value: object, message: str
) -> None:
    tracker = tb.Tracker.create("values")
    with pytest.raises(tb.ValidationError, match=message):
        tracker.log_metric("m", value)
    tracker.log_metric("m", np.float32(0.5))
    tracker.log_metric("m", 7)
    tb.flush()
    assert open_store().metric_points(tracker.trial_component_name, "m").values == [0.5, 7.0]
    tracker.close()


def test_huge_values_and_steps_are_quoted_short() -> None:
    tracker = tb.Tracker.create("short")
    with pytest.raises(tb.ValidationError) as error:
        tracker.log_metric("m", 10**400)
    assert len(str(error.value)) < 300
    tracker.close()


def test_an_array_parameter_is_refused_clearly() -> None:
    tracker = tb.Tracker.create("params")
    with pytest.raises(tb.ValidationError, match=r"numpy array of shape \(2,\)"):
        tracker.log_parameters({"layers": np.array([1, 2])})
    tracker.log_parameters({"lr": np.array(0.1), "depth": np.int64(3)})
    assert tracker.trial_component.parameters == {"lr": 0.1, "depth": 3}
    tracker.close()


def test_logging_after_close_says_the_tracker_is_closed(tmp_path) -> None:
    tracker = tb.Tracker.create("closed")
    tracker.log_metric("m", 1.0)
    tracker.close()
    file = tmp_path / "a.txt"
    file.write_text("x")
    for log in (
        lambda: tracker.log_metric("m", 2.0),
        lambda: tracker.log_metric("new", 2.0),
        lambda: tracker.log_parameter("p", 1),
        lambda: tracker.log_output("o", "v"),
        lambda: tracker.log_artifact(file),
    ):
        with pytest.raises(tb.TrialbookError, match="is closed"):
            log()
    component = tracker.trial_component
    assert component.status == tb.TrialStatus.COMPLETED
    assert component.parameters == {} and component.metrics["m"].count == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (".", "URL"),
        ("..", "URL"),
        ("\u200b", "no visible character"),
        ("\u200b\ufeff \u2060", "no visible character"),
        ("a\ud800b", "lone surrogate"),
    ],
)
def test_names_rest_cannot_serve_are_refused_everywhere(name: str, message: str) -> None:
    with pytest.raises(tb.ValidationError, match=message):
        names.validate_name(name, "experiment_name")
    with pytest.raises(tb.ValidationError, match=message):
        tb.Experiment.create(name, hypothesis="h")
    with pytest.raises(tb.ValidationError, match=message):
        tb.Tracker.create(name)
    tracker = tb.Tracker.create("ok")
    with pytest.raises(tb.ValidationError, match=message):
        tracker.log_metric(name, 1.0)
    with pytest.raises(tb.ValidationError, match=message):
        tracker.log_parameter(name, 1.0)
    tracker.close()


def test_lone_surrogates_in_text_values_are_refused_clearly() -> None:
    tracker = tb.Tracker.create("text")
    with pytest.raises(tb.ValidationError, match="lone surrogate"):
        tracker.log_parameter("p", "bad \udc80 text")
    with pytest.raises(tb.ValidationError, match="lone surrogate"):
        tb.Experiment.create("e", hypothesis="\udc80")
    tracker.close()


@pytest.mark.parametrize("blank", ["   ", "\t\n", "\u200b"])
def test_a_blank_hypothesis_does_not_define_an_experiment(blank: str) -> None:
    with pytest.raises(tb.ValidationError, match="needs a hypothesis"):
        tb.Experiment.create("blank", hypothesis=blank)
    with pytest.raises(tb.ValidationError, match="needs a hypothesis"):
        tb.Experiment.create("blank", description=blank)
    assert tb.Experiment.create("fine", hypothesis=" h ").hypothesis == " h "


def test_a_collision_of_generated_trial_names_never_fails_a_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forced = iter(["00000000aa", "00000000aa", "00000000aa", "00000000bb", "00000000bb"])
    monkeypatch.setattr(names, "random_suffix", lambda digits: next(forced, "00000000cc"))
    exp = tb.Experiment.create("collide", hypothesis="h", variables={"x": [1, 2, 3]})
    with exp.run(variables={"x": 1}):
        pass
    with exp.run(variables={"x": 2}):  # the same suffix twice more: a fresh one is drawn
        pass
    tb.Trial.create("collide", variables={"x": 3})  # and again for Trial.create
    trials = {t.variables["x"]: t.trial_name for t in exp.list_trials()}
    assert trials == {1: "collide-00000000aa", 2: "collide-00000000bb", 3: "collide-00000000cc"}


def test_a_collision_of_generated_component_names_is_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = tb.Tracker.create("same")
    stamp = first.trial_component_name.rsplit("-", 2)[1]
    suffixes = iter([first.trial_component_name[-6:], "abcdef"])
    monkeypatch.setattr(names, "random_suffix", lambda digits: next(suffixes))

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):  # the same microsecond as the first tracker
            return datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ")

    monkeypatch.setattr(names, "datetime", FrozenClock)
    second = tb.Tracker.create("same")
    assert second.trial_component_name == f"same-{stamp}-abcdef"
    first.close()
    second.close()


def test_a_variable_set_already_used_is_still_refused_not_retried() -> None:
    tb.Experiment.create("dup", hypothesis="h", variables={"x": [1]})
    tb.Trial.create("dup", variables={"x": 1})
    with pytest.raises(tb.AlreadyExistsError, match="variable set"):
        tb.Trial.create("dup", variables={"x": 1})


def test_a_metric_name_that_is_not_a_string_is_refused() -> None:
    tracker = tb.Tracker.create("names")
    for name in (["loss"], 3, None):
        with pytest.raises(tb.ValidationError, match="metric_name"):
            tracker.log_metric(name, 1.0)  # type: ignore[arg-type]
    tracker.close()
