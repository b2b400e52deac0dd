"""The hypothesis verdict over REST: evaluation, trial groups over seeds, coverage, and the
verdict on experiment payloads, against a real server and store."""

import json

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

import trialbook
from trialbook.kernel.display import mime_type

VALUES = {  # (model, lr, seed) → best acc; custom wins by ~0.04 on every pair
    ("custom", 0.1, 0): 0.93,
    ("resnet50", 0.1, 0): 0.89,
    ("custom", 0.1, 1): 0.91,
    ("resnet50", 0.1, 1): 0.875,
    ("custom", 0.01, 0): 0.90,
    ("resnet50", 0.01, 0): 0.86,
    ("custom", 0.01, 1): 0.92,
    ("resnet50", 0.01, 1): 0.875,
}
CLAIM = {
    "metric": "acc",
    "goal": "maximize",
    "variable": "model",
    "treatment": "custom",
    "control": "resnet50",
    "min_effect": 0.01,
}


@pytest.fixture
def experiment():
    exp = trialbook.Experiment.create(
        "claimed",
        hypothesis="custom beats resnet50",
        objective=CLAIM,
        variables={"model": ["custom", "resnet50"], "lr": [0.1, 0.01], "seed": [0, 1, 2]},
    )
    for (model, lr, seed), value in VALUES.items():
        with exp.run(variables={"model": model, "lr": lr, "seed": seed}) as tracker:
            tracker.log_metric("acc", value / 2, step=0)
            tracker.log_metric("acc", value, step=1)
    return exp


async def test_evaluation_is_what_exp_evaluate_says(api, experiment):
    response = await api("GET", "experiments", "claimed", "evaluation")

    assert response.code == 200
    body = response.body
    expected = experiment.evaluate().to_dict()
    assert body["verdict"] == expected["verdict"] == "supported"
    assert body["text"] == "custom beats resnet50 on acc (best, maximize) by at least 0.01"
    assert body["claim"]["treatment"] == "custom" and body["claim"]["alpha"] == 0.05
    assert body["effect"] == pytest.approx(expected["effect"])
    assert body["ci"] == pytest.approx(expected["ci"])
    assert body["paired"] is True and body["n_treatment"] == body["n_control"] == 4
    assert body["correction"] is None and len(body["comparisons"]) == 1
    assert [group["value"] for group in body["groups"]] == ["custom", "resnet50"]
    assert sorted(body["groups"][0]["values"]) == [0.9, 0.91, 0.92, 0.93]
    assert set(body["excluded"]) == {"Failed", "Stopped", "Interrupted", "InProgress", "NoMetric"}


async def test_overrides_travel_as_query_parameters(api, experiment):
    response = await api(
        "GET",
        "experiments",
        "claimed",
        "evaluation",
        params=[("variable", "lr"), ("treatment", "0.1"), ("control", "0.01"), ("alpha", "0.1")],
    )
    assert response.code == 200
    body = response.body
    assert body["claim"]["variable"] == "lr" and body["claim"]["treatment"] == 0.1
    assert body["claim"]["control"] == 0.01 and body["alpha"] == 0.1
    assert body["paired"] is True and body["n_treatment"] == 4
    assert all(isinstance(n, float) for n in (*body["ci"], body["p_value"], body["effect"]))
    direct = experiment.evaluate(variable="lr", treatment=0.1, control=0.01, alpha=0.1)
    assert body["verdict"] == direct.verdict and body["effect"] == pytest.approx(direct.effect)


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ([("treatment", "vgg")], "treatment", "allowed: 'custom', 'resnet50'"),
        ([("alpha", "lots")], "alpha", "not a number"),
        ([("alpha", "2")], "alpha", "between 0 and 1"),
        ([("summary", "median")], "summary", "best, last, max, min, mean"),
        ([("variable", "optimizer")], "variable", "not a declared variable"),
        ([("min_effect", "-1")], "min_effect", "at least 0"),
    ],
)
async def test_a_bad_override_is_a_400_naming_the_parameter(
    api, experiment, params, parameter, words
):
    response = await api("GET", "experiments", "claimed", "evaluation", params=params)
    assert response.code == 400
    assert f"Bad parameter '{parameter}'" in response.body["message"]
    assert words in response.body["message"]


async def test_several_claims_are_one_family_over_rest_as_in_python(api, experiment):
    claims = [{}, {"variable": "lr", "treatment": 0.1, "control": 0.01}]
    response = await api(
        "GET", "experiments", "claimed", "evaluation", params=[("claims", json.dumps(claims))]
    )
    assert response.code == 200
    body = response.body
    expected = experiment.evaluate(claims=claims).to_dict()
    assert body["correction"] == expected["correction"] == "holm"
    assert [c["variable"] for c in body["claims"]] == ["model", "lr"]
    assert [c["p_value"] for c in body["comparisons"]] == pytest.approx(
        [c["p_value"] for c in expected["comparisons"]]
    )
    assert body["verdict"] == expected["verdict"] and "of 2 claims" in body["message"]
    # Holm adjusts the first claim's p-value upwards, as in Python.
    alone = (await api("GET", "experiments", "claimed", "evaluation")).body
    assert body["comparisons"][0]["p_value"] >= alone["p_value"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{not json", "is not JSON"),
        ('{"metric": "acc"}', "non-empty JSON list of objects"),
        ("[]", "non-empty JSON list of objects"),
        ('[{}, "acc"]', 'item 1 is "acc", not an object'),
        ('[{}, {"alpha": 0.1}]', "same alpha"),
        ('[{"treatment": "vgg"}]', "allowed: 'custom', 'resnet50'"),
    ],
)
async def test_bad_claims_are_a_400_naming_claims(api, experiment, raw, words):
    response = await api("GET", "experiments", "claimed", "evaluation", params=[("claims", raw)])
    assert response.code == 400
    assert "Bad parameter 'claims'" in response.body["message"]
    assert words in response.body["message"]


async def test_no_claim_gives_nulls_and_unknown_experiments_404(api):
    trialbook.Experiment.create("plain", hypothesis="H")
    body = (await api("GET", "experiments", "plain", "evaluation")).body
    assert body["claim"] is None and body["verdict"] is None and body["comparisons"] == []
    assert (await api("GET", "experiments", "nope", "evaluation")).code == 404


async def test_experiment_payloads_carry_the_verdict(api, experiment):
    trialbook.Experiment.create("plain", hypothesis="H")
    listing = (await api("GET", "experiments")).body["experiments"]
    assert {e["name"]: e["verdict"] for e in listing} == {
        "claimed": "supported",
        "plain": None,
    }
    assert listing[0]["objective"]["variable"] == "model"
    detail = (await api("GET", "experiments", "claimed")).body
    assert detail["verdict"] == "supported"

    # A new trial of the experiment changes its verdict on the next read (no stale cache).
    with experiment.run(variables={"model": "resnet50", "lr": 0.1, "seed": 2}) as tracker:
        tracker.log_metric("acc", 0.99)
    with experiment.run(variables={"model": "custom", "lr": 0.1, "seed": 2}) as tracker:
        tracker.log_metric("acc", 0.70)
    fresh = experiment.evaluate().verdict
    assert fresh != "supported"
    listing = (await api("GET", "experiments")).body["experiments"]
    assert listing[0]["verdict"] == fresh


async def test_trial_groups_match_the_python_dataframe(api, experiment):
    response = await api("GET", "experiments", "claimed", "trial-groups")
    assert response.code == 200
    body = response.body
    assert set(body["by"]) == {"model", "lr"} and body["spread"] == "ci"
    assert len(body["groups"]) == 4 and all(group["n"] == 2 for group in body["groups"])
    frame = experiment.dataframe(group_by_except=["seed"])
    for group in body["groups"]:
        row = frame[(frame["model"] == group["key"]["model"]) & (frame["lr"] == group["key"]["lr"])]
        numbers = group["metrics"]["acc - Max"]
        assert numbers["mean"] == pytest.approx(row["acc - Max mean"].iloc[0])
        assert numbers["hi"] == pytest.approx(row["acc - Max hi"].iloc[0])
        assert numbers["n"] == 2
    assert group["metrics"]["ObjectiveValue"]["mean"] == pytest.approx(numbers["mean"])

    by_sd = await api("GET", "experiments", "claimed", "trial-groups", params=[("spread", "sd")])
    first = by_sd.body["groups"][0]["metrics"]["acc - Max"]
    assert first["lo"] == pytest.approx(first["mean"] - first["sd"])
    everything = await api(
        "GET",
        "experiments",
        "claimed",
        "trial-groups",
        params=[("except", "seed"), ("except", "lr")],
    )
    assert everything.body["by"] == ["model"] and everything.body["groups"][0]["n"] == 4

    bad = await api("GET", "experiments", "claimed", "trial-groups", params=[("except", "sed")])
    assert bad.code == 400 and "Bad parameter 'except'" in bad.body["message"]
    bad = await api("GET", "experiments", "claimed", "trial-groups", params=[("spread", "iqr")])
    assert bad.code == 400 and "Bad parameter 'spread'" in bad.body["message"]


async def test_coverage_lists_the_grid_with_each_sets_status(api, experiment):
    with (
        pytest.raises(RuntimeError),
        experiment.run(variables={"model": "custom", "lr": 0.1, "seed": 2}),
    ):
        raise RuntimeError("diverged")
    body = (await api("GET", "experiments", "claimed", "coverage")).body
    assert set(body["variables"]) == {"model", "lr", "seed"}
    assert body["total"] == 12 and body["missing"] == 4 and body["message"] is None
    statuses = sorted(entry["status"] for entry in body["sets"])
    assert statuses.count("Completed") == 8 and statuses.count("Failed") == 1
    assert statuses.count("missing") == 3
    failed = next(entry for entry in body["sets"] if entry["status"] == "Failed")
    assert failed["trial"] and failed["variables"]["seed"] == 2
    missing = [entry["variables"] for entry in body["sets"] if entry["status"] != "Completed"]
    assert missing == experiment.missing()


async def test_coverage_of_a_range_without_num_says_why_there_is_no_grid(api):
    trialbook.Experiment.create(
        "ranged", hypothesis="H", variables={"lr": trialbook.Range(0.001, 0.1)}
    )
    body = (await api("GET", "experiments", "ranged", "coverage")).body
    assert body["sets"] == [] and "num" in body["message"]


async def test_the_evaluation_mime_payload_holds_the_rest_body(experiment):
    bundle = experiment.evaluate()._repr_mimebundle_()
    payload = bundle[mime_type("evaluation")]
    assert payload["evaluation"]["verdict"] == "supported" and payload["overrides"] == {}


async def test_unauthenticated_evaluation_is_refused(http_server_client, jp_http_port, jp_base_url):
    url = f"http://localhost:{jp_http_port}{jp_base_url}trialbook/api/experiments/x/evaluation"
    with pytest.raises(HTTPClientError) as refused:
        await AsyncHTTPClient().fetch(url)
    assert refused.value.code in (401, 403)
