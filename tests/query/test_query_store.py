"""Queries over a real Trialbook store: the SQL matches the rows the trial table shows."""

from __future__ import annotations

import math

import pytest

import trialbook as tb
from tests.query.reference import evaluate
from trialbook.errors import QueryError
from trialbook.store import TrialQuery, open_store
from trialbook.store.core.query import QuerySchema, parse, resolve


@pytest.fixture
def store():
    grid = tb.Experiment.create(
        "grid",
        hypothesis="Smaller learning rates converge lower",
        objective={"metric": "loss", "goal": "minimize"},
        variables={"lr": [0.1, 0.01, 0.001], "seed": [0, 1]},
    )
    for index, variables in enumerate(grid.grid()):
        try:
            with grid.run(variables=variables) as tracker:
                tracker.log_parameter("batch_size", 32 * (index % 2 + 1))
                tracker.log_parameter("optimizer", "adam" if index < 3 else "sgd")
                for step in range(3):
                    tracker.log_metric("loss", variables["lr"] * 10 - step + variables["seed"])
                if index == 4:
                    raise RuntimeError("diverged")
        except RuntimeError:
            pass
    other = tb.Experiment.create(
        "other-exp",
        description="no declared variables",
        objective={"metric": "acc", "goal": "maximize"},
    )
    for index, optimizer in enumerate(["adam", "sgd", "adam-w"]):
        with other.run(variables={"optimizer": optimizer, "wide": index == 1}) as tracker:
            tracker.log_metric("acc", 0.5 + index / 10)
            if index != 2:
                tracker.log_metric("loss", 2.0 - index)
    tb.Trial.create("other-exp", "tagged-trial", tags={"team": "vision", "o'q\"": "x"})
    trial = tb.Trial.load(tb.Trial.list("other-exp")[0].trial_name)
    trial.tags = {"team": "nlp"}
    trial.save()
    tb.flush()
    # A writer killed mid-run: stored InProgress with a heartbeat long gone reads Interrupted.
    store = open_store()
    (killed,) = tb.Trial.list("grid")[5].list_trial_components()
    store.update_component(killed.trial_component_name, status="InProgress", end_time=None)
    store.record_heartbeat([killed.trial_component_name], 0.0)
    return open_store()


def search(store, query: str, names=("grid", "other-exp")) -> list[str]:
    return [record.name for record in store.search_trials(query, list(names))]


def table_rows(store, names=("grid", "other-exp")) -> list[dict]:
    return [row for name in names for row in store.trial_table(name, TrialQuery()).rows]


def known(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def row_value(row: dict, field):
    if field.kind == "attribute":
        if field.key == "duration":
            start, end = row["start_time"], row["end_time"]
            return None if start is None or end is None else end - start
        key = {
            "experiment": "experiment_name",
            "created": "creation_time",
            "started": "start_time",
            "ended": "end_time",
            "objective": "objective_value",
        }.get(field.key, field.key)
        return row[key]
    if field.kind == "tag":
        return row["tags"].get(field.key)
    if field.kind == "metric":
        return known((row["metrics"].get(field.key) or {}).get(field.stat))
    variable = (row["variables"] or {}).get(field.key)
    parameter = known(row["parameters"].get(field.key))
    if field.kind == "variable":
        return variable
    if field.kind == "parameter":
        return parameter
    return parameter if variable is None else variable


def shown_rows(store, query: str, names=("grid", "other-exp")) -> list[str]:
    """What the table's rows say the query matches (the reference meaning)."""
    rows = table_rows(store, names)
    schema = QuerySchema.of(
        [key for row in rows for key in row["variables"] or ()],
        [key for row in rows for key in row["parameters"]],
        [key for row in rows for key in row["metrics"]],
    )
    tree = resolve(parse(query), schema, query)
    return [
        row["name"]
        for row in rows
        if evaluate(tree, lambda field, row=row: row_value(row, field)) is True
    ]


QUERIES = [
    "lr < 0.05",
    "lr >= 0.01 and seed == 1",
    "not (lr < 0.05)",
    "seed in [1]",
    "seed not in [1]",
    "seed == None",
    "batch_size == 64",
    "params.batch_size != 64",
    'optimizer == "adam"',
    'optimizer.startswith("adam")',
    'optimizer.endswith("w")',
    '"am" in optimizer',
    '"am" not in optimizer',
    "wide == True",
    "wide != True",
    "wide == 1",
    "not (wide == False)",
    "wide in [True, 'x', None]",
    "batch_size == 64.0",
    'optimizer != "adam"',
    "optimizer != 1",
    "variables.optimizer in ['sgd', 'adam-w']",
    "metrics.loss.min < 0",
    "metrics.loss.max > 0.5",
    "metrics.loss.last <= -1",
    "metrics.loss.avg > 0",
    "metrics.loss.stddev > 0.5",
    "metrics.loss.count == 3",
    "metrics.loss == None",
    "metrics.acc > 0.55",
    "objective < 0",
    "objective > 0.55",
    "objective == None",
    'status == "Completed"',
    'status == "Failed"',
    'status == "Interrupted"',
    'status != "Completed"',
    'status in ["Failed", "Interrupted"]',
    "status == None",
    'experiment == "other-exp"',
    'experiment.startswith("gr")',
    'name.startswith("grid")',
    '"tagged" in name',
    'tags.team == "nlp"',
    'tags.team != "nlp"',
    '"team" in tags',
    '"team" not in tags',
    'tags["o\'q\\""] == "x"',
    'created > "2000-01-01"',
    'created < "2000-01-01"',
    "started != None and ended == None",
    "duration >= 0",
    "duration == None",
    "lr < 0.05 or metrics.acc > 0.55",
    "not (lr < 0.05 or metrics.acc > 0.55)",
    'not (status == "Completed") and experiment == "grid"',
]


@pytest.mark.parametrize("query", QUERIES)
def test_sql_matches_the_rows_the_table_shows(store, query):
    found = search(store, query)
    assert found == shown_rows(store, query)


def test_the_fixture_covers_what_the_queries_test(store):
    """Guards the comparison above against a fixture where everything is empty."""
    assert len(search(store, 'status == "Completed"')) == 7
    assert len(search(store, 'status == "Failed"')) == 1
    assert len(search(store, 'status == "Interrupted"')) == 1
    assert search(store, "status == None") == ["tagged-trial"]
    assert len(search(store, "lr < 0.05")) == 4
    assert search(store, 'tags.team == "nlp"') == [tb.Trial.list("other-exp")[0].trial_name]
    assert search(store, 'tags.team == "vision"') == ["tagged-trial"]
    assert len(search(store, "objective < 0")) == 5
    assert len(search(store, "objective > 0.55")) == 2
    assert len(search(store, "metrics.loss.stddev > 0.5")) == 6


def test_one_experiment_sees_only_its_own_trials(store):
    with pytest.raises(QueryError, match="unknown name 'lr'"):
        search(store, "lr > 0", names=("other-exp",))
    assert len(search(store, 'optimizer == "adam"', names=("grid",))) == 3


def test_names_come_from_the_chosen_experiments(store):
    assert len(search(store, "wide == True", names=("other-exp",))) == 1
    with pytest.raises(QueryError, match=r"did you mean 'metrics\.acc'"):
        search(store, "metrics.ac > 0", names=("other-exp",))
    with pytest.raises(QueryError, match="unknown name 'wide'"):
        search(store, "wide == True", names=("grid",))


def test_a_metric_two_components_log_is_reachable_by_its_clash_key(store):
    trial = tb.Trial.list("grid")[0]
    evaluation = tb.Tracker.create("evaluation", display_name="Evaluation")
    with evaluation:
        evaluation.log_metric("loss", 42.0)
    trial.add_trial_component(evaluation)
    tb.flush()
    (row,) = [r for r in table_rows(store, ("grid",)) if r["name"] == trial.trial_name]
    assert {"Training/loss", "Evaluation/loss"} <= set(row["metrics"])
    assert search(store, 'metrics["Evaluation/loss"].max > 40') == [trial.trial_name]
    assert search(store, 'metrics["Training/loss"].max > 40') == []
    # The plain name means the latest started component's, as the objective does.
    assert search(store, "metrics.loss.max > 40") == [trial.trial_name]
