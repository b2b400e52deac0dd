"""The query over REST: `q=` on one experiment's table and `GET trials` across experiments give
the rows Python gives; a bad query is a 400 naming `q` that points into it."""

from __future__ import annotations

import pytest

import trialbook as tb

QUERIES = [
    "lr < 0.05",
    "not (lr < 0.05)",
    'status == "Completed" and metrics.loss.min < 0.5',
    "metrics.loss.min >= 0.5 or lr == 0.001",
    'optimizer in ["sgd"]',
    'optimizer not in ["sgd"]',
    'name.startswith("sweep")',
    "objective < 0.5",
    "seed == None",
]


@pytest.fixture
def experiments():
    sweep = tb.Experiment.create(
        "sweep",
        hypothesis="A smaller learning rate ends lower",
        objective={"metric": "loss", "goal": "minimize"},
        variables={"lr": [0.1, 0.01, 0.001], "seed": [0, 1]},
    )
    for index, variables in enumerate(sweep.grid()):
        with sweep.run(variables=variables) as tracker:
            tracker.log_parameter("optimizer", "sgd" if index % 3 == 0 else "adam")
            for step in range(3):
                tracker.log_metric("loss", variables["lr"] * 10 - step * 0.1 + variables["seed"])
    other = tb.Experiment.create(
        "other",
        hypothesis="Wider is better",
        objective={"metric": "accuracy", "goal": "maximize"},
        variables={"width": [64, 128]},
    )
    for variables in other.grid():
        with other.run(variables=variables) as tracker:
            tracker.log_parameter("optimizer", "sgd")
            tracker.log_metric("accuracy", variables["width"] / 256)
    return sweep, other


@pytest.mark.parametrize("query", QUERIES)
async def test_one_experiment_s_table_gives_the_rows_exp_search_gives(api, experiments, query):
    sweep, _ = experiments
    response = await api("GET", "experiments", "sweep", "trials", params=[("q", query)])
    assert response.code == 200, response.body
    names = [row["name"] for row in response.body["trials"]]
    assert names == [trial.trial_name for trial in sweep.search(query)]
    assert response.body["total"] == len(names)


@pytest.mark.parametrize(
    "query",
    ['optimizer == "sgd"', "objective > 0.3", 'experiment == "other"', "metrics.loss.max > 1"],
)
async def test_all_trials_gives_the_rows_search_trials_gives(api, experiments, query):
    response = await api("GET", "trials", params=[("q", query)])
    assert response.code == 200, response.body
    body = response.body
    frame = tb.search_trials(query)
    assert [row["name"] for row in body["trials"]] == list(frame["TrialName"])
    assert [row["experiment_name"] for row in body["trials"]] == list(frame["Experiment"])
    assert body["total"] == len(frame)


async def test_all_trials_has_the_union_of_columns_and_pages(api, experiments):
    response = await api(
        "GET",
        "trials",
        params=[("sort", "objective_value"), ("order", "desc"), ("offset", "1"), ("limit", "3")],
    )
    body = response.body
    assert response.code == 200
    assert body["total"] == 8 and body["limit"] == 3 and body["offset"] == 1
    assert body["columns"] == {
        "variables": ["lr", "seed", "width"],
        "parameters": ["lr", "seed", "width", "optimizer"],
        "metrics": ["loss", "accuracy"],
    }
    every = await api("GET", "trials", params=[("sort", "objective_value"), ("order", "desc")])
    ordered = [row["name"] for row in every.body["trials"]]
    assert [row["name"] for row in body["trials"]] == ordered[1:4]
    values = [row["objective_value"] for row in every.body["trials"]]
    assert values == sorted(values, reverse=True)  # each trial by its own objective
    assert every.body["limit"] == 1000  # the default page


async def test_a_typo_is_a_400_naming_q_with_the_position(api, experiments):
    response = await api("GET", "experiments", "sweep", "trials", params=[("q", "lrr < 0.05")])
    assert response.code == 400
    body = response.body
    assert body["parameter"] == "q"
    assert body["message"].startswith("Bad parameter 'q': unknown name 'lrr': did you mean 'lr'?")
    assert body["message"].endswith("(at column 1)\n  lrr < 0.05\n  ^^^")
    assert body["query_error"] == {
        "message": "unknown name 'lrr': did you mean 'lr'?",
        "offset": 0,
        "end": 3,
        "line": 1,
        "column": 1,
    }


@pytest.mark.parametrize(
    ("query", "offset", "end"),
    [("lr < 0.05 and", 10, 13), ("lr && seed", 3, 5), ('status == "Done"', 10, 16)],
)
async def test_every_kind_of_query_error_is_a_400_on_both_tables(
    api, experiments, query, offset, end
):
    for parts in (("experiments", "sweep", "trials"), ("trials",)):
        response = await api("GET", *parts, params=[("q", query)])
        assert response.code == 400, parts
        assert response.body["parameter"] == "q"
        error = response.body["query_error"]
        assert (error["offset"], error["end"]) == (offset, end)


async def test_the_search_rule_is_names_and_variable_values(api, experiments):
    sweep, _ = experiments

    async def searched(text):
        response = await api("GET", "experiments", "sweep", "trials", params=[("search", text)])
        return {tuple(sorted(row["variables"].items())) for row in response.body["trials"]}

    assert await searched("0.001") == {(("lr", 0.001), ("seed", 0)), (("lr", 0.001), ("seed", 1))}
    assert await searched("SEED=1") == {(("lr", lr), ("seed", 1)) for lr in (0.1, 0.01, 0.001)}
    assert len(await searched("  sweep-  ")) == 6  # trimmed, then the names
    assert await searched("no-such-thing") == set()
    first = sweep.list_trials()[0].trial_name
    assert await searched(first.upper()) == {(("lr", 0.1), ("seed", 0))}


async def test_q_combines_with_search_status_and_filters(api, experiments):
    response = await api(
        "GET",
        "experiments",
        "sweep",
        "trials",
        params=[
            ("q", "lr < 0.05"),
            ("search", "seed=1"),
            ("status", "Completed"),
            ("filter", '{"column": "parameters.optimizer", "op": "eq", "value": "adam"}'),
        ],
    )
    assert response.code == 200
    rows = response.body["trials"]
    # (0.01, 1) ran with sgd: every part of the request applies.
    assert [(row["variables"], row["parameters"]["optimizer"]) for row in rows] == [
        ({"lr": 0.001, "seed": 1}, "adam")
    ]
