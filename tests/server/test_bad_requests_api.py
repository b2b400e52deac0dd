"""Out-of-range integers, oversized metrics requests: 400s that name the parameter, with no
traceback in the server log (#11)."""

from __future__ import annotations

import json
import logging

import pytest

import trialbook as tb

HUGE = "99999999999999999999"


@pytest.fixture
def experiment() -> tb.Experiment:
    exp = tb.Experiment.create("ints", hypothesis="h", variables={"n": [1, 2]})
    for variables in exp.grid():
        with exp.run(variables=variables) as tracker:
            tracker.log_metric("loss", 1.0)
    return exp


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("offset", HUGE)], "offset"),
        ([("limit", HUGE)], "limit"),
        (
            [("filter", json.dumps({"column": "variables.n", "op": "ge", "value": 10**20}))],
            "filter",
        ),
        ([("filter", '{"column": "variables.n", "op": "ge", "value": 1e400}')], "filter"),
        ([("filter", '{"column": "variables.n", "op": "eq", "value": NaN}')], "filter"),
    ],
)
async def test_out_of_range_trial_table_parameters_are_400s(
    api, experiment, caplog: pytest.LogCaptureFixture, params, parameter: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await api("GET", "experiments", "ints", "trials", params=params)
    assert response.code == 400, response.raw
    assert parameter in response.body["message"]
    _no_tracebacks(caplog)


async def test_a_huge_change_cursor_is_a_400(api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = await api("GET", "changes", params=[("since", HUGE)])
    assert response.code == 400 and "since" in response.body["message"]
    _no_tracebacks(caplog)


@pytest.mark.parametrize("raw_id", ["1" * 23, "9223372036854775808"])
async def test_an_artifact_id_beyond_64_bits_is_a_400(
    api, caplog: pytest.LogCaptureFixture, raw_id: str
) -> None:
    caplog.set_level(logging.DEBUG)
    for parts in (("artifacts", raw_id), ("artifacts", raw_id, "content")):
        response = await api("GET", *parts)
        assert response.code == 400, response.raw
        assert "id" in response.body["message"]
    _no_tracebacks(caplog)


async def test_validation_errors_from_the_api_log_no_traceback(
    api, experiment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    name = experiment.list_trials()[0].list_trial_components()[0].trial_component_name
    response = await api("PATCH", "components", name, body={"display_name": "a/b"})
    assert response.code == 400 and "display_name" in response.body["message"]
    _no_tracebacks(caplog)


async def test_a_metrics_request_is_capped_by_series_times_points(api, experiment) -> None:
    trials = [("trial", t.trial_name) for t in experiment.list_trials()]
    names = [("name", f"m{i}") for i in range(10)]  # 20 series, as in #11
    response = await api("GET", "metrics", params=[*trials, *names, ("max_points", "100000")])
    assert response.code == 400
    message = response.body["message"]
    assert "max_points" in message and "2,000,000 points" in message and "1,000,000" in message
    smaller = await api("GET", "metrics", params=[*trials, *names, ("max_points", "1000")])
    assert smaller.code == 200
