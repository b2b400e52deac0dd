"""Names may hold any character but '/': they travel percent-encoded in one path segment."""

import pytest

import trialbook

NAMES = [
    "<img src=x onerror=alert(1)>",
    "with spaces & \"quotes\" 'single'",
    "ünïcödé ✓ 实验",
    "percent %2F and %41 and ?query=1#hash",
    "dots.and..more",
]


@pytest.mark.parametrize("name", NAMES)
async def test_every_endpoint_takes_any_name(api, name):
    exp = trialbook.Experiment.create(name, hypothesis="<script>alert(1)</script>")
    with exp.run(
        variables={"lr": 0.1},
    ) as tracker:
        tracker.log_metric("loss", 1.0)
    (trial,) = exp.list_trials()

    experiment = await api("GET", "experiments", name)
    trials = await api("GET", "experiments", name, "trials")
    trial_detail = await api("GET", "trials", trial.trial_name)
    component = await api("GET", "components", tracker.trial_component_name)
    patched = await api("PATCH", "experiments", name, body={"notes": name})
    series = await api("GET", "metrics", params=[("trial", trial.trial_name), ("name", "loss")])

    assert experiment.code == 200 and experiment.body["name"] == name
    assert experiment.body["hypothesis"] == "<script>alert(1)</script>"
    assert trials.body["trials"][0]["experiment_name"] == name
    assert trial_detail.body["experiment_name"] == name
    assert component.body["trials"][0]["experiment_name"] == name
    assert patched.body["notes"] == name
    assert series.body["series"][0]["y"] == [1.0]
    assert (await api("DELETE", "experiments", name, params=[("force", "true")])).code == 204


async def test_a_slash_never_reaches_a_name(api):
    response = await api("GET", "experiments", "a/b")
    assert response.code == 404
