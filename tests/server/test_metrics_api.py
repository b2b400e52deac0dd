"""GET metrics: many series in one call, downsampled on the server keeping the extremes."""

import pytest

import trialbook


@pytest.fixture
def runs():
    exp = trialbook.Experiment.create(
        "curves", hypothesis="Longer warmup is smoother", variables={"warmup": [0, 100]}
    )
    for warmup in (0, 100):
        with exp.run(variables={"warmup": warmup}) as tracker:
            for step in range(5000):
                spike = step == 2345 and warmup == 0
                tracker.log_metric("loss", 1e6 if spike else 1.0 / (step + 1) + warmup, step=step)
            tracker.log_metric("acc", float("inf"), step=0)
            tracker.log_metric("acc", float("-inf"), step=1)
            tracker.log_metric("acc", float("nan"), step=2)
    trialbook.flush()
    return [trial.trial_name for trial in exp.list_trials()]


async def test_series_for_many_trials_downsampled_keeping_extremes(api, runs):
    component = f"{runs[0]}-training"
    response = await api(
        "GET",
        "metrics",
        params=[("trial", runs[0]), ("trial", runs[1]), ("name", "loss"), ("max_points", 200)],
    )

    assert response.code == 200
    body = response.body
    assert body["x"] == "step" and body["max_points"] == 200
    assert [s["trial"] for s in body["series"]] == runs
    first, second = body["series"]
    assert first["component"] == component and first["metric"] == "loss"
    assert first["total_count"] == 5000 and first["downsampled"] is True
    assert 10 < len(first["y"]) <= 200 and len(first["x"]) == len(first["y"])
    assert max(first["y"]) == 1e6 and 2345 in first["x"]  # the spike survives
    assert min(second["y"]) == pytest.approx(100 + 1 / 5000)
    assert first["x"][0] == 0 and first["x"] == sorted(first["x"])


async def test_short_series_are_raw_with_non_finite_values_as_strings(api, runs):
    response = await api("GET", "metrics", params=[("trial", runs[0]), ("name", "acc")])

    (series,) = response.body["series"]
    assert series["downsampled"] is False
    assert series["x"] == [0, 1, 2]
    assert series["y"] == ["Infinity", "-Infinity", "NaN"]


async def test_wall_time_axis_and_component_owner(api, runs):
    component = f"{runs[1]}-training"
    response = await api(
        "GET", "metrics", params=[("component", component), ("name", "acc"), ("x", "time")]
    )

    (series,) = response.body["series"]
    assert series["trial"] is None and series["component"] == component
    assert all(isinstance(x, float) and x > 1.6e9 for x in series["x"])


async def test_unknown_series_are_skipped(api, runs):
    response = await api(
        "GET", "metrics", params=[("trial", runs[0]), ("trial", "nope"), ("name", "nothing")]
    )
    assert response.code == 200 and response.body["series"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("name", "loss")], "trial"),
        ([("trial", "t")], "name"),
        ([("trial", "t"), ("name", "loss"), ("x", "epoch")], "x"),
        ([("trial", "t"), ("name", "loss"), ("max_points", "2")], "max_points"),
        ([("trial", "t"), ("name", "loss"), ("max_points", "many")], "max_points"),
        ([("trial", "t"), ("name", "loss"), ("x_min", "abc")], "x_min"),
        ([("trial", "t"), ("name", "loss"), ("x_max", "inf")], "x_max"),
        ([("trial", "t"), ("name", "loss"), ("x_max", "NaN")], "x_max"),
        ([("trial", "t"), ("name", "loss"), ("x_min", "10"), ("x_max", "5")], "x_min"),
    ],
)
async def test_bad_parameters_are_400(api, params, parameter):
    response = await api("GET", "metrics", params=params)
    assert response.code == 400
    assert repr(parameter) in response.body["message"]
