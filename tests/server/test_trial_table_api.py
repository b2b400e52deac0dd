"""GET experiments/{name}/trials: one row per trial, sorted, filtered and paged in the store."""

import json

import pytest

import trialbook
from trialbook.store import open_store


@pytest.fixture
def experiment():
    exp = trialbook.Experiment.create(
        "grid",
        hypothesis="Smaller learning rates converge lower",
        objective={"metric": "loss", "goal": "minimize"},
        variables={"lr": [0.1, 0.01, 0.001], "seed": [0, 1]},
    )
    for index, variables in enumerate(exp.grid()):
        with exp.run(variables=variables) as tracker:
            tracker.log_parameter("batch_size", 32 * (index % 2 + 1))
            for step in range(3):
                tracker.log_metric(
                    "loss", variables["lr"] * 10 - step + variables["seed"], step=step
                )
            if index == 0:
                tracker.log_metric("loss", float("nan"), step=3)
    return exp


def column_values(body, pick):
    return [pick(row) for row in body["trials"]]


async def test_whole_table_has_rows_totals_and_columns(api, experiment):
    response = await api("GET", "experiments", "grid", "trials")

    assert response.code == 200
    body = response.body
    assert body["total"] == 6 and len(body["trials"]) == 6
    assert body["limit"] is None
    assert body["columns"] == {
        "variables": ["lr", "seed"],
        "parameters": ["lr", "seed", "batch_size"],
        "metrics": ["loss"],
    }
    first = body["trials"][0]
    assert first["variables"] == {"lr": 0.1, "seed": 0}
    assert first["status"] == "Completed"
    assert first["parameters"]["batch_size"] == 32
    assert set(first["metrics"]["loss"]) == {"min", "max", "avg", "stddev", "last", "count"}
    assert first["metrics"]["loss"]["last"] == "NaN"  # the value at the highest step
    assert first["metrics"]["loss"]["count"] == 4
    assert first["objective_value"] == -1.0
    assert first["components"] == [f"{first['name']}-training"]
    assert first["creation_time"].endswith("+00:00")
    assert first["start_time"] and first["end_time"]
    assert "packages" not in (first["provenance"] or {})


async def test_sort_by_metric_summary_and_variable(api, experiment):
    by_min = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[("sort", "metrics.loss.min"), ("order", "asc")],
    )
    mins = column_values(by_min.body, lambda row: row["metrics"]["loss"]["min"])
    assert mins == sorted(mins)

    by_lr = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[("sort", "variables.lr"), ("order", "desc")],
    )
    assert column_values(by_lr.body, lambda row: row["variables"]["lr"]) == [
        0.1,
        0.1,
        0.01,
        0.01,
        0.001,
        0.001,
    ]

    by_objective = await api(
        "GET", "experiments", "grid", "trials", params=[("sort", "objective_value")]
    )
    values = column_values(by_objective.body, lambda row: row["objective_value"])
    assert values == sorted(values)


async def test_paging_keeps_the_total(api, experiment):
    pages = []
    for offset in (0, 4):
        response = await api(
            "GET",
            "experiments",
            "grid",
            "trials",
            params=[("sort", "name"), ("offset", offset), ("limit", 4)],
        )
        assert response.body["total"] == 6
        pages.append(column_values(response.body, lambda row: row["name"]))
    assert [len(page) for page in pages] == [4, 2]
    assert pages[0] + pages[1] == sorted(t.trial_name for t in experiment.list_trials())


async def test_filters_search_and_status(api, experiment):
    def flt(column, op, value):
        return ("filter", json.dumps({"column": column, "op": op, "value": value}))

    small = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[flt("variables.lr", "lt", 0.05), flt("parameters.batch_size", "eq", 64)],
    )
    assert small.body["total"] == len(small.body["trials"])
    for row in small.body["trials"]:
        assert row["variables"]["lr"] < 0.05 and row["parameters"]["batch_size"] == 64

    low_loss = await api(
        "GET", "experiments", "grid", "trials", params=[flt("metrics.loss.last", "le", -1.85)]
    )
    assert {row["variables"]["lr"] for row in low_loss.body["trials"]} == {0.01, 0.001}

    one = experiment.list_trials()[2].trial_name
    searched = await api("GET", "experiments", "grid", "trials", params=[("search", one.upper())])
    assert column_values(searched.body, lambda row: row["name"]) == [one]

    completed = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[("status", "Completed"), ("status", "Failed")],
    )
    assert completed.body["total"] == 6
    failed = await api("GET", "experiments", "grid", "trials", params=[("status", "Failed")])
    assert failed.body["total"] == 0 and failed.body["trials"] == []
    by_filter = await api(
        "GET", "experiments", "grid", "trials", params=[flt("status", "ne", "Completed")]
    )
    assert by_filter.body["total"] == 0


async def test_derived_status_sorts_and_pages(api, experiment):
    with experiment.run(variables={"lr": 0.1, "seed": 0}, rerun=True) as tracker:
        stuck = tracker.trial_component_name
    open_store().update_component(stuck, status="InProgress")  # a fresh heartbeat: live

    response = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[("sort", "status"), ("order", "asc"), ("limit", 2)],
    )

    assert response.body["total"] == 6
    statuses = [row["status"] for row in response.body["trials"]]
    assert statuses == ["Completed", "Completed"]
    last = await api(
        "GET",
        "experiments",
        "grid",
        "trials",
        params=[("sort", "status"), ("order", "desc"), ("limit", 1)],
    )
    assert last.body["trials"][0]["status"] == "InProgress"


@pytest.mark.parametrize(
    ("params", "parameter", "hint"),
    [
        ([("sort", "colour")], "sort", "variables.<name>"),
        ([("sort", "metrics.loss.median")], "sort", "min|max"),
        ([("order", "up")], "order", "asc, desc"),
        ([("limit", "ten")], "limit", "integer"),
        ([("offset", "-1")], "offset", "out of range"),
        ([("status", "Done")], "status", "InProgress"),
        ([("filter", "lr<0.1")], "filter", "not JSON"),
        ([("filter", '{"column": "name", "op": "like", "value": "a"}')], "filter", "contains"),
        ([("filter", '{"column": "name"}')], "filter", "column, op and value"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    api, experiment, params, parameter, hint
):
    response = await api("GET", "experiments", "grid", "trials", params=params)

    assert response.code == 400, response.raw
    assert repr(parameter) in response.body["message"]
    assert hint in response.body["message"]


async def test_unknown_experiment_is_404(api):
    response = await api("GET", "experiments", "missing", "trials")
    assert response.code == 404
    assert "missing" in response.body["message"]


async def test_a_page_lists_columns_logged_after_the_last_request(api, experiment):
    page = [("limit", 2), ("offset", 4)]
    before = await api("GET", "experiments", "grid", "trials", params=page)
    assert "momentum" not in before.body["columns"]["parameters"]

    (first, *_) = experiment.list_trials()
    tracker = trialbook.Tracker.load(f"{first.trial_name}-training")
    tracker.log_parameter("momentum", 0.9)
    tracker.log_metric("grad_norm", 1.0)
    trialbook.flush()
    after = await api("GET", "experiments", "grid", "trials", params=page)

    assert after.body["columns"]["parameters"] == ["lr", "seed", "batch_size", "momentum"]
    assert after.body["columns"]["metrics"] == ["loss", "grad_norm"]
    assert first.trial_name not in [row["name"] for row in after.body["trials"]]


async def test_without_limit_the_default_page_comes_with_the_total(api, experiment, monkeypatch):
    from trialbook.server.handlers import experiments as handlers

    monkeypatch.setattr(handlers, "DEFAULT_TRIAL_PAGE", 4)
    first = (await api("GET", "experiments", "grid", "trials")).body
    assert first["total"] == 6 and len(first["trials"]) == 4 and first["limit"] is None
    rest = (await api("GET", "experiments", "grid", "trials", params=[("offset", 4)])).body
    whole = (await api("GET", "experiments", "grid", "trials", params=[("limit", 6)])).body
    names = [row["name"] for row in whole["trials"]]
    assert [row["name"] for row in first["trials"] + rest["trials"]] == names


async def test_sort_by_duration_and_by_experiment(api, experiment):
    """The view's Duration and Experiment columns sort on the server like the others."""
    from datetime import datetime

    by_duration = await api(
        "GET", "experiments", "grid", "trials", params=[("sort", "duration"), ("order", "desc")]
    )
    assert by_duration.code == 200

    def seconds(row):
        start, end = (datetime.fromisoformat(row[key]) for key in ("start_time", "end_time"))
        return (end - start).total_seconds()

    durations = column_values(by_duration.body, seconds)
    assert len(durations) == 6 and durations == sorted(durations, reverse=True)

    other = trialbook.Experiment.create("alpha", description="another", variables={"k": [1]})
    with other.run(variables={"k": 1}):
        pass
    across = await api("GET", "trials", params=[("sort", "experiment"), ("order", "asc")])
    assert (
        column_values(across.body, lambda row: row["experiment_name"]) == ["alpha"] + ["grid"] * 6
    )
    descending = await api("GET", "trials", params=[("sort", "experiment"), ("order", "desc")])
    assert column_values(descending.body, lambda row: row["experiment_name"])[-1] == "alpha"
