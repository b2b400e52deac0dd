"""Rich displays: Trialbook MIME bundles with escaped HTML fallbacks that read anywhere."""

from __future__ import annotations

import json
import math

import pytest

import trialbook
from trialbook.kernel.display import mime_type

NAME = '<img src=x onerror="alert(1)"> & co'


@pytest.fixture
def experiment():
    exp = trialbook.Experiment.create(
        NAME,
        hypothesis="<script>alert(1)</script> beats ResNet50",
        objective={"metric": "loss", "goal": "minimize"},
        variables={"lr": [0.1, 0.01]},
    )
    for lr in (0.1, 0.01):
        with exp.run(variables={"lr": lr}) as tracker:
            for step in range(30):
                tracker.log_metric("loss", lr / (step + 1), step=step)
            tracker.log_metric("loss", math.inf, step=30)
    return exp


def assert_escaped(html: str) -> None:
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_an_experiment_renders_as_trialbook_json_text_and_escaped_html(experiment):
    bundle = experiment._repr_mimebundle_()

    payload = bundle[mime_type("experiment")]
    assert payload["name"] == NAME
    assert payload["trial_count"] == 2
    assert payload["status_counts"] == {"Completed": 2}
    assert payload["variables"] == {"lr": {"type": "choice", "values": [0.1, 0.01]}}
    assert bundle["text/plain"].startswith("Experiment(")
    assert_escaped(bundle["text/html"])
    assert "minimize loss" in bundle["text/html"]


def test_a_trial_shows_variables_status_and_metric_sparklines(experiment):
    trial = experiment.list_trials()[0]
    bundle = trial._repr_mimebundle_()

    assert bundle[mime_type("trial")]["variables"] == {"lr": 0.1}
    assert bundle[mime_type("trial")]["status"] == "Completed"
    html = bundle["text/html"]
    assert_escaped(html)
    assert "<polyline" in html and "31 points" in html and "last inf" in html


def test_components_and_trackers_render_the_component(experiment):
    component = trialbook.TrialComponent.list(experiment_name=NAME)[0]
    assert component._repr_mimebundle_()[mime_type("component")]["status"] == "Completed"

    with trialbook.Tracker.create("live-one", display_name="<b>Live</b>") as tracker:
        tracker.log_metric("acc", 0.5)
        live = tracker._repr_mimebundle_()
    assert live[mime_type("component")]["live"] is True
    assert "&lt;b&gt;Live&lt;/b&gt;" in live["text/html"]


def test_plot_carries_what_the_live_chart_needs_and_a_static_svg(experiment):
    chart = experiment.plot("loss", group_by="lr", smoothing=0.5, x="relative", log_y=True)
    bundle = chart._repr_mimebundle_()

    payload = bundle[mime_type("chart")]
    json.dumps(payload, allow_nan=False)  # browsers can parse it
    assert payload["metric"] == "loss" and payload["experiment"] == NAME
    assert payload["owner_kind"] == "trial" and len(payload["owners"]) == 2
    assert payload["scope"] == "experiment"
    assert payload["options"] == {
        "x": "relative",
        "group_by": "lr",
        "smoothing": 0.5,
        "log_y": True,
    }
    assert bundle["text/html"].count("<polyline") == 2
    assert_escaped(bundle["text/html"])

    trial_chart = experiment.list_trials()[0].plot("loss")._repr_mimebundle_()
    assert trial_chart[mime_type("chart")]["owners"] == [experiment.list_trials()[0].trial_name]
    assert trial_chart[mime_type("chart")]["scope"] == "owners"


def test_plot_rejects_bad_options_with_a_clear_message(experiment):
    with pytest.raises(trialbook.ValidationError, match="not a variable"):
        experiment.plot("loss", group_by="batch_size")
    with pytest.raises(trialbook.ValidationError, match="x must be one of"):
        experiment.plot("loss", x="epoch")
    with pytest.raises(trialbook.ValidationError, match="smoothing"):
        experiment.plot("loss", smoothing=1.5)


def test_a_chart_without_points_says_so():
    exp = trialbook.Experiment.create("empty", hypothesis="nothing yet")
    assert "No points logged yet" in exp.plot("loss")._repr_mimebundle_()["text/html"]
