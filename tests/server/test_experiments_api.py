"""GET <base_url>/trialbook/api/experiments against a real server and store."""

import json

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

import trialbook
from trialbook.server.payloads import API_VERSION, STATUSES

HYPOTHESIS = "A custom model beats ResNet50 on CIFAR10"


async def get_json(jp_fetch, *parts, **params):
    response = await jp_fetch("trialbook", "api", *parts, params=params or None)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def test_empty_store_lists_no_experiments(jp_fetch):
    body = await get_json(jp_fetch, "experiments")
    assert body == {"api_version": API_VERSION, "experiments": []}


async def test_lists_experiments_created_by_the_library(jp_fetch):
    trialbook.Experiment.create(
        "cifar10-custom-vs-resnet50",
        hypothesis=HYPOTHESIS,
        objective={"metric": "val_accuracy", "goal": "maximize"},
    )
    trialbook.Experiment.create("second", description="Only a description")

    body = await get_json(jp_fetch, "experiments")

    names = [experiment["name"] for experiment in body["experiments"]]
    assert names == ["cifar10-custom-vs-resnet50", "second"]
    first = body["experiments"][0]
    assert first["hypothesis"] == HYPOTHESIS
    assert first["objective"]["metric"] == "val_accuracy"
    assert first["objective"]["goal"] == "maximize"
    assert first["trial_count"] == 0
    assert first["status"] is None
    assert set(first["status_counts"]) == set(STATUSES)
    assert first["creation_time"].endswith("+00:00")
    assert body["experiments"][1]["description"] == "Only a description"


async def test_counts_trials_and_their_status(jp_fetch):
    exp = trialbook.Experiment.create(
        "counted", hypothesis=HYPOTHESIS, variables={"lr": [0.1, 0.01]}
    )
    with exp.run(variables={"lr": 0.1}) as tracker:
        tracker.log_metric("loss", 0.5)
    with pytest.raises(RuntimeError), exp.run(variables={"lr": 0.01}):
        raise RuntimeError("diverged")

    body = await get_json(jp_fetch, "experiments")

    (summary,) = body["experiments"]
    assert summary["trial_count"] == 2
    assert summary["status_counts"]["Completed"] == 1
    assert summary["status_counts"]["Failed"] == 1
    assert summary["last_activity"] is not None


async def test_names_are_returned_as_text(jp_fetch):
    name = '<img src=x onerror=alert(1)> & "quotes" ünïcode'
    trialbook.Experiment.create(name, hypothesis="<script>alert(1)</script>")

    body = await get_json(jp_fetch, "experiments")

    assert body["experiments"][0]["name"] == name
    assert body["experiments"][0]["hypothesis"] == "<script>alert(1)</script>"


async def test_unauthenticated_request_is_refused(http_server_client, jp_http_port, jp_base_url):
    url = f"http://localhost:{jp_http_port}{jp_base_url}trialbook/api/experiments"
    with pytest.raises(HTTPClientError) as refused:
        await AsyncHTTPClient().fetch(url)
    assert refused.value.code == 403


async def test_unknown_route_is_a_json_404(jp_fetch):
    with pytest.raises(HTTPClientError) as missing:
        await jp_fetch("trialbook", "api", "no-such-endpoint")
    assert missing.value.code == 404
    body = json.loads(missing.value.response.body)
    assert "no-such-endpoint" in body["message"]
