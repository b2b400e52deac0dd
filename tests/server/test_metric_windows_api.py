"""GET metrics at every length: served points follow max_points, extremes survive, and an
x window (zoom) returns only its own points, at full detail when they fit."""

import pytest

import trialbook

LENGTHS = (1_000, 10_000, 100_000)


def special_steps(length):
    """Where a series holds a spike, a NaN and ±inf: far apart, so no two share a group."""
    return {
        length // 5 + 7: 1e9,
        2 * length // 5 + 3: float("nan"),
        3 * length // 5 + 5: float("inf"),
        4 * length // 5 + 1: float("-inf"),
    }


def payload_value(value):
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def smooth(step):
    return 1.0 + (step % 100) / 1000


@pytest.fixture
def long_runs():
    """One trial per length: a sawtooth with a spike, a NaN and ±inf."""
    exp = trialbook.Experiment.create(
        "lengths", hypothesis="Served points follow max_points", variables={"steps": list(LENGTHS)}
    )
    for length in LENGTHS:
        specials = special_steps(length)
        with exp.run(variables={"steps": length}) as tracker:
            for step in range(length):
                tracker.log_metric("loss", specials.get(step, smooth(step)), step=step)
    trialbook.flush()
    return {trial.variables["steps"]: trial.trial_name for trial in exp.list_trials()}


def series_of(response):
    assert response.code == 200, response.body
    (series,) = response.body["series"]
    assert len(series["x"]) == len(series["y"])
    return series


async def window(api, trial, x_min, x_max, *, max_points=1000, x="step"):
    params = [("trial", trial), ("name", "loss"), ("max_points", max_points), ("x", x)]
    params += [("x_min", x_min), ("x_max", x_max)]
    response = await api("GET", "metrics", params=params)
    assert response.body["x_min"] == float(x_min) and response.body["x_max"] == float(x_max)
    return series_of(response)


@pytest.mark.parametrize("max_points", [100, 1000])
@pytest.mark.parametrize("length", LENGTHS)
async def test_served_points_track_max_points_and_keep_extremes(api, long_runs, length, max_points):
    response = await api(
        "GET",
        "metrics",
        params=[("trial", long_runs[length]), ("name", "loss"), ("max_points", max_points)],
    )

    series = series_of(response)
    served = len(series["y"])
    if length <= max_points:
        assert series["downsampled"] is False and served == length
    else:
        assert series["downsampled"] is True
        assert max_points // 2 <= served <= max_points, served
    assert response.body["x_min"] is None and response.body["x_max"] is None
    assert series["total_count"] == series["window_count"] == length
    assert series["x"] == sorted(series["x"])
    assert series["x"][0] == 0 and series["x"][-1] == length - 1
    kept = dict(zip(series["x"], series["y"], strict=True))
    wanted = {step: payload_value(value) for step, value in special_steps(length).items()}
    assert {step: kept.get(step) for step in wanted} == wanted


async def test_a_window_that_fits_comes_raw(api, long_runs):
    series = await window(api, long_runs[100_000], 50_000, 50_499.5)

    assert series["downsampled"] is False and series["window_count"] == 500
    assert series["x"] == list(range(50_000, 50_500))
    assert series["y"] == [smooth(step) for step in range(50_000, 50_500)]


async def test_a_longer_window_is_decimated_from_raw_points_keeping_extremes(api, long_runs):
    series = await window(api, long_runs[10_000], 1_000, 4_000, max_points=500)

    assert series["downsampled"] is True and series["window_count"] == 3_001
    assert 250 <= len(series["x"]) <= 500
    assert series["x"][0] == 1_000 and series["x"][-1] == 4_000
    assert all(1_000 <= x <= 4_000 for x in series["x"])
    kept = dict(zip(series["x"], series["y"], strict=True))
    assert kept[2_007] == 1e9 and "NaN" not in series["y"]  # the NaN at 4,003 is outside


async def test_a_long_window_is_served_from_the_buckets_inside_it(api, long_runs):
    # Bounds off bucket edges: the spike at 20,007 lies in a partial edge bucket.
    series = await window(api, long_runs[100_000], 20_003, 59_998, max_points=300)

    assert series["downsampled"] is True and series["window_count"] == 39_996
    assert 150 <= len(series["x"]) <= 300
    assert series["x"][0] == 20_003 and series["x"][-1] == 59_998
    assert all(20_003 <= x <= 59_998 for x in series["x"])
    kept = dict(zip(series["x"], series["y"], strict=True))
    assert kept[20_007] == 1e9 and kept[40_003] == "NaN"
    assert "Infinity" not in series["y"] and "-Infinity" not in series["y"]


async def test_an_empty_window_has_no_points(api, long_runs):
    series = await window(api, long_runs[1_000], 5_000, 6_000)

    assert series["x"] == [] and series["window_count"] == 0
    assert series["total_count"] == 1_000


async def test_a_wall_time_window(api, long_runs):
    trial = long_runs[1_000]
    response = await api(
        "GET", "metrics", params=[("trial", trial), ("name", "loss"), ("x", "time")]
    )
    times = series_of(response)["x"]
    low, high = times[100], times[199]

    series = await window(api, trial, repr(low), repr(high), x="time")

    assert series["downsampled"] is False
    assert series["x"] == [t for t in times if low <= t <= high]


async def test_a_window_over_steps_logged_out_of_order(api):
    exp = trialbook.Experiment.create("shuffled", hypothesis="Logging order does not matter")
    steps = [(step * 7919) % 20_000 for step in range(20_000)]  # every step once, shuffled
    with exp.run() as tracker:
        for step in steps:
            tracker.log_metric("loss", 1e9 if step == 10_500 else float(step), step=step)
    trialbook.flush()
    (trial,) = exp.list_trials()

    narrow = await window(api, trial.trial_name, 100, 199)
    assert narrow["downsampled"] is False
    assert narrow["x"] == [step for step in steps if 100 <= step <= 199]  # logging order

    wide = await window(api, trial.trial_name, 10_000, 19_999, max_points=200)
    assert wide["downsampled"] is True and wide["window_count"] == 10_000
    assert 100 <= len(wide["x"]) <= 200 and all(10_000 <= x <= 19_999 for x in wide["x"])
    assert dict(zip(wide["x"], wide["y"], strict=True))[10_500] == 1e9
