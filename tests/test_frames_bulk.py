"""``Experiment.dataframe()`` is built column by column from bulk reads; it must equal the
frame built from the general trial rows (``trial_rows``, one dict per trial) column for
column, dtype for dtype, whatever the trials hold."""

from __future__ import annotations

import math

import pandas.testing
import pytest

import trialbook as tb
from trialbook.analytics import _trial_frame
from trialbook.store import open_store


def from_general_rows(name: str) -> pandas.DataFrame:
    store = open_store()
    rows = store.trial_rows(name, parameters=False, provenance=False)
    return _trial_frame(rows, bool(store.get_experiment(name).objective), False)


@pytest.mark.parametrize("objective", [None, {"metric": "loss", "goal": "minimize"}])
def test_the_bulk_frame_equals_the_general_one(objective) -> None:
    experiment = tb.Experiment.create("e", description="edge cases", objective=objective)
    values = [0.5, math.nan, math.inf, -math.inf, 2.0]
    for index, value in enumerate(values):
        variables = {"lr": index / 10} if index % 2 else {"lr": index / 10, "seed": index}
        if index == 4:  # a key order of its own
            variables = {"layers": "64-32", **variables}
        with experiment.run(variables=variables) as tracker:
            tracker.log_metric("loss", value)
            if index % 3 == 0:
                tracker.log_metric("acc", index)
                tracker.log_metric("acc", math.nan)
    with experiment.run(variables={"lr": 0.0, "seed": 0}, rerun=True) as tracker:  # 2 attempts
        tracker.log_metric("loss", 0.25)
    with experiment.run(variables={"width": 8}):  # no metrics at all
        pass
    store = open_store()  # a component shared by two trials gives neither its metrics
    trials = [trial.trial_name for trial in experiment.list_trials()]
    store.associate(trials[1], f"{trials[2]}-training")
    expected = from_general_rows("e")
    assert len(expected) == 6
    pandas.testing.assert_frame_equal(experiment.dataframe(), expected)


def test_an_experiment_without_trials_gives_the_same_empty_frame() -> None:
    experiment = tb.Experiment.create("e", description="empty")
    pandas.testing.assert_frame_equal(experiment.dataframe(), from_general_rows("e"))


def reference_analytics(experiment: str, query: str | None = None, **names) -> pandas.DataFrame:
    """``ExperimentAnalytics.dataframe()`` as it was built before the bulk reads: a dict
    per component record, through ``ColumnsBuilder``; with ``query``, the components of
    the trials ``Experiment.search`` finds."""
    from trialbook.frames import ColumnsBuilder
    from trialbook.store import SUMMARY_STATS

    store = open_store()
    experiments = {trial.name: trial.experiment_name for trial in store.list_trials()}
    found = None
    if query is not None:
        found = {trial.trial_name for trial in tb.Experiment.load(experiment).search(query)}
    builder = ColumnsBuilder()
    for component in store.list_components(experiment_name=experiment):
        if found is not None and not found.intersection(component.trial_names):
            continue
        row = {"TrialComponentName": component.name, "DisplayName": component.display_name}
        for name, value in component.parameters.items():
            if names.get("parameter_names") is None or name in names["parameter_names"]:
                row[name] = value
        for name, summary in component.metrics.items():
            if names.get("metric_names") is None or name in names["metric_names"]:
                for stat in SUMMARY_STATS:
                    row[f"{name} - {stat}"] = summary.stat(stat)
        for artifacts in (component.input_artifacts, component.output_artifacts):
            for name, artifact in artifacts.items():
                row[f"{name} - MediaType"] = artifact.media_type
                row[f"{name} - Value"] = artifact.value
        row["Trials"] = list(component.trial_names)
        row["Experiments"] = list(dict.fromkeys(experiments[t] for t in component.trial_names))
        builder.put_row(row)
    frame = builder.frame()
    if not frame.empty:
        ordered = [c for c in frame.columns if c not in ("Trials", "Experiments")]
        frame = frame[[*ordered, "Trials", "Experiments"]]
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("names", [{}, {"parameter_names": ["lr"], "metric_names": ["acc"]}])
def test_the_bulk_analytics_frame_equals_one_built_from_records(names) -> None:
    experiment = tb.Experiment.create("e", description="analytics")
    other = tb.Experiment.create("other", description="shares a component")
    for index, value in enumerate([0.5, math.nan, math.inf, 2.0]):
        with experiment.run(variables={"lr": index / 10}) as tracker:
            tracker.log_parameter("optimizer", "adam" if index % 2 else "sgd")
            tracker.log_parameter("flag", bool(index % 2))
            tracker.log_metric("loss", value)
            if index % 2:
                tracker.log_metric("acc", index)
    with other.run(variables={"lr": 1.0}):
        pass
    store = open_store()
    store.create_component("prep", display_name="Prep", kind=None, tags={}, provenance=None)
    store.put_artifact("prep", direction="input", name="data", value="s3://d", media_type="csv")
    store.put_artifact("prep", direction="output", name="data", value="s3://e", media_type=None)
    first = experiment.list_trials()[0].trial_name
    store.associate(first, "prep")
    store.associate(other.list_trials()[0].trial_name, "prep")
    built = tb.ExperimentAnalytics(experiment_name="e", **names).dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("e", **names))
    assert len(built) == 5


def analytics_edge_cases() -> tb.Experiment:
    """Parameters of every kind (one name int here, float there, bool elsewhere), a NaN
    float first, names that only later components have (past one statement's names), a
    metric whose points are all NaN, components without parameters or metrics."""
    experiment = tb.Experiment.create("e", description="edge cases")
    for index in range(6):
        with experiment.run(variables={"lr": index / 10, "seed": index}) as tracker:
            if index == 0:
                tracker.log_parameter("dropout", math.nan)
            tracker.log_parameter("mixed", [1, 0.5, True, "x", 2**60, -3][index])
            if index >= 2:
                tracker.log_parameters({f"late{k}": k * index for k in range(45)})
                tracker.log_parameter("dropout", 0.1 * index)
            if index % 2:
                tracker.log_metric("nan_only", math.nan)
            if index != 3:
                tracker.log_metric("loss", [0.5, math.inf, -math.inf, 1.0, math.nan, 2.0][index])
                tracker.log_metric("loss", 0.25)
    with experiment.run(variables={"lr": 9.0, "seed": 9}):  # nothing logged
        pass
    return experiment


def test_the_bulk_analytics_frame_equals_the_records_one_in_edge_cases() -> None:
    analytics_edge_cases()
    built = tb.ExperimentAnalytics(experiment_name="e").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("e"))
    assert built["mixed"].tolist()[:6] == [1, 0.5, True, "x", 2**60, -3]
    assert "late44" in built.columns and math.isnan(built["dropout"][0])
    assert built["nan_only - Min"].dropna().empty and built["loss - Count"].dtype == "float64"


def test_names_only_later_components_have_when_the_first_has_none() -> None:
    """The first component logs no metric: every metric name is one it does not have."""
    experiment = tb.Experiment.create("late", description="metrics from the second run on")
    for index in range(3):
        with experiment.run(variables={"seed": index}) as tracker:
            if index:
                tracker.log_metric("loss", index / 2)
    built = tb.ExperimentAnalytics(experiment_name="late").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("late"))
    assert built["loss - Last"].tolist()[1:] == [0.5, 1.0]


@pytest.mark.parametrize(
    "query", ["seed >= 2", "seed == 3 or lr > 0.45", "metrics.loss.max > 0.9", "seed > 100"]
)
def test_the_query_keeps_the_components_of_the_matching_trials(query) -> None:
    analytics_edge_cases()
    built = tb.ExperimentAnalytics(experiment_name="e", query=query).dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("e", query))


def test_a_parameter_named_like_another_column_keeps_the_records_rule() -> None:
    experiment = tb.Experiment.create("e", description="clashing names")
    with experiment.run(variables={"lr": 0.1}) as tracker:
        tracker.log_parameter("loss - Min", 3.0)
        tracker.log_parameter("Trials", "mine")
        tracker.log_metric("loss", 1.0)
    built = tb.ExperimentAnalytics(experiment_name="e").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("e"))
    assert built["Trials"].tolist() == [[experiment.list_trials()[0].trial_name]]


def test_a_variable_named_like_another_column_keeps_the_general_rule() -> None:
    experiment = tb.Experiment.create("e", description="clashing names")
    with experiment.run(variables={"Status": "mine", "loss - Min": 2}) as tracker:
        tracker.log_metric("loss", 1.0)
    pandas.testing.assert_frame_equal(experiment.dataframe(), from_general_rows("e"))


def test_times_are_rounded_to_microseconds_as_datetime_rounds_them() -> None:
    from trialbook.frame_columns import datetime_column
    from trialbook.values import to_datetime

    epochs = [1.5, 5e-7, 1.5e-6, -5e-7, -1.9999995, 1e9 + 0.9999995, 1764800000.1234565, 0.0]
    epochs += [1.7e9 + k / 7 + 5e-7 for k in range(2000)] + [None]
    built = pandas.DataFrame({"t": datetime_column(epochs)})
    expected = pandas.DataFrame({"t": [to_datetime(epoch) for epoch in epochs]})
    pandas.testing.assert_frame_equal(built, expected)
    assert datetime_column([None, None]) == [None, None]  # objects, as pandas makes of them


def a_sweep(name: str = "sweep", runs: int = 4) -> tb.Experiment:
    """Every component with the same float parameters and metric names (logged in another
    order from the third run on), one NaN parameter and one series of NaN only."""
    experiment = tb.Experiment.create(name, description="a sweep")
    for index in range(runs):
        with experiment.run(variables={"lr": index / 10}) as tracker:
            parameters = {"dropout": math.nan if index == 1 else index / 4, "width": 8.0}
            metrics = {"loss": [0.5, math.inf, 2.0, 1.0][index % 4], "acc": index / 3}
            if index >= 2:  # another first-logged order: a component the query may keep first
                parameters, metrics = (
                    dict(reversed(parameters.items())),
                    dict(reversed(metrics.items())),
                )
            tracker.log_parameters(parameters)
            for metric, value in metrics.items():
                tracker.log_metric(metric, math.nan if (metric, index) == ("acc", 0) else value)
    return experiment


def grids(experiment: str) -> tuple[bool, bool]:
    """Whether the parameters and the metric summaries were read as grids (``grid.py``)."""
    rows = open_store().component_frame_rows(experiment)
    return rows.parameters.grid is not None, rows.metrics.grid is not None


@pytest.mark.parametrize(
    "options",
    [{}, {"query": "lr >= 0.2"}, {"query": "lr > 5"}, {"parameter_names": ["width"]}],
)
def test_a_sweep_is_read_as_a_grid_and_gives_the_same_frame(options) -> None:
    a_sweep()
    assert grids("sweep") == (True, True)
    built = tb.ExperimentAnalytics(experiment_name="sweep", **options).dataframe()
    names = {key: value for key, value in options.items() if key != "query"}
    pandas.testing.assert_frame_equal(
        built, reference_analytics("sweep", options.get("query"), **names)
    )
    if options.get("query") == "lr >= 0.2":  # the first kept component logged another order
        assert list(built.columns[2:5]) == ["lr", "width", "dropout"]


def test_a_component_in_two_trials_of_the_sweep_is_read_once() -> None:
    experiment = a_sweep()
    trials = [trial.trial_name for trial in experiment.list_trials()]
    open_store().associate(trials[0], f"{trials[1]}-training")
    assert grids("sweep") == (True, True)
    built = tb.ExperimentAnalytics(experiment_name="sweep").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("sweep"))
    assert len(built) == 4


def break_the_sweep(case: str) -> None:
    """One component of the sweep breaks what the grid needs."""
    experiment = tb.Experiment.load("sweep")
    with experiment.run(variables={"lr": 0.9}) as tracker:
        if case == "an int":
            tracker.log_parameters({"dropout": 1, "width": 8.0})
        elif case == "a str":
            tracker.log_parameters({"dropout": "none", "width": 8.0})
        elif case == "a bool":
            tracker.log_parameters({"dropout": True, "width": 8.0})
        elif case == "a missing name":
            tracker.log_parameters({"width": 8.0})
        elif case == "one more name":
            tracker.log_parameters({"dropout": 0.5, "width": 8.0, "depth": 3.0})
        elif case == "a name of its own":
            tracker.log_parameters({"depth": 0.5, "width": 8.0})
        else:
            tracker.log_parameters({"dropout": 0.5, "width": 8.0})
        metrics = {
            "a missing metric": {"loss": 1.0},
            "one more metric": {"loss": 1.0, "acc": 0.5, "f1": 0.1},
            "a metric of its own": {"loss": 1.0, "f1": 0.1},
        }.get(case, {"loss": 1.0, "acc": 0.5})
        for metric, value in metrics.items():
            tracker.log_metric(metric, value)
    if case == "no component":  # a trial without a component: the others keep their grid
        experiment.create_trial(variables={"lr": 2.0})


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("an int", (False, True)),
        ("a str", (False, True)),
        ("a bool", (False, True)),
        ("a missing name", (False, True)),
        ("one more name", (False, True)),
        ("a name of its own", (False, True)),
        ("a missing metric", (True, False)),
        ("one more metric", (True, False)),
        ("a metric of its own", (True, False)),
        ("no component", (True, True)),
    ],
)
def test_the_grid_falls_back_to_the_pivot_exactly_when_a_component_differs(case, expected):
    a_sweep()
    break_the_sweep(case)
    assert grids("sweep") == expected
    for later in (None, "lr > 0.5"):  # the breaking component last, or alone
        built = tb.ExperimentAnalytics(experiment_name="sweep", query=later).dataframe()
        pandas.testing.assert_frame_equal(built, reference_analytics("sweep", later))


def test_a_sweep_parameter_named_like_another_column_keeps_the_records_rule() -> None:
    experiment = tb.Experiment.create("e", description="clashing names in a grid")
    for index in range(2):
        with experiment.run(variables={"lr": index / 10}) as tracker:
            tracker.log_parameters({"loss - Min": 3.0, "DisplayName": 1.5})
            tracker.log_metric("loss", 1.0)
    assert grids("e") == (True, True)
    built = tb.ExperimentAnalytics(experiment_name="e").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("e"))


def trial_grid(experiment: str) -> bool:
    """Whether ``Experiment.dataframe()``'s metric summaries were read as a grid."""
    return open_store().trial_frame_rows(experiment).metrics.grid is not None


@pytest.mark.parametrize(
    "case",
    [
        "a sweep",
        "a trial without a component first",
        "components out of trial order",
        "a shared component",
        "a missing metric",
        "a metric of its own",
        "a NaN-only series",
    ],
)
def test_the_trial_frame_reads_a_grid_exactly_when_every_sole_component_has_its_names(case):
    experiment = tb.Experiment.create("e", description="a sweep", objective=None)
    if case == "a trial without a component first":
        experiment.create_trial(variables={"lr": 5.0})
    late = experiment.create_trial(variables={"lr": 7.0})
    for index in range(3):
        with experiment.run(variables={"lr": index / 10, "seed": index}) as tracker:
            tracker.log_metric("loss", index / 2)
            tracker.log_metric("acc", math.nan if case == "a NaN-only series" else index)
            if case == "a missing metric" and index == 1:
                continue
            tracker.log_metric("f1" if case == "a metric of its own" and index else "auc", 0.5)
    if case == "components out of trial order":  # the oldest trial's component is the newest
        tracker = tb.Tracker.create("late")
        tracker.log_metric("loss", 4.0)
        tracker.log_metric("acc", 0.0)
        tracker.log_metric("auc", 1.0)
        tracker.close()
        tb.flush_all()
        open_store().associate(late.trial_name, tracker.trial_component_name)
    if case == "a shared component":  # its trials have no sole component: the general rows
        trials = [trial.trial_name for trial in experiment.list_trials()]
        open_store().associate(trials[-1], f"{trials[-2]}-training")
    assert trial_grid("e") == (case not in ("a missing metric", "a metric of its own"))
    pandas.testing.assert_frame_equal(experiment.dataframe(), from_general_rows("e"))


@pytest.mark.parametrize(
    "odd",
    [
        None,  # every trial the same float variables: one float64 matrix
        {"lr": 1},  # an int among floats
        {"lr": True},
        {"lr": "0.5"},
        {"lr": 2**62},
        {"momentum": 0.5, "lr": 0.5},  # another key order
        {"lr": 0.5},  # a key fewer
        {},
    ],
)
def test_variables_decode_and_set_as_the_general_rows_do(odd) -> None:
    experiment = tb.Experiment.create("e", description="variables")
    for index in range(4):
        variables = {"lr": index / 8, "momentum": 0.9 - index / 10}
        if odd is not None and index == 2:
            variables = odd
        with experiment.run(variables=variables) as tracker:
            tracker.log_metric("loss", index)
    built = experiment.dataframe()
    pandas.testing.assert_frame_equal(built, from_general_rows("e"))
    if odd is None:
        assert built["lr"].dtype == "float64" and built["lr"].tolist() == [0, 0.125, 0.25, 0.375]
    if odd == {"lr": 2**62}:
        assert built["lr"].tolist()[2] == 2**62


def test_documents_msgspec_refuses_are_read_by_json() -> None:
    """The API never stores these, but a store may hold any JSON: read as json reads it."""
    import json

    from trialbook.frames import _documents

    texts = ['{"a": NaN}', '{"a": -Infinity}', '{"a": 1e400}', '{"a": "\\ud800"}']
    texts += ['{"a": 123456789012345678901234567890, "b": -0.0}', '{"a": 0.1, "a": 0.2}', "null"]
    decoded = _documents(texts)
    assert repr(decoded) == repr([json.loads(text) for text in texts])
    assert decoded[4]["a"] == 123456789012345678901234567890 and decoded[5] == {"a": 0.2}
    assert _documents(texts[4:]) == [json.loads(text) for text in texts[4:]]  # all read by msgspec


def write_store(sql: str) -> None:
    """One plain SQL write on this test's store, beside Trialbook (committed)."""
    import contextlib
    import os
    import sqlite3

    location = os.environ["TRIALBOOK_STORE"]
    if not location.startswith("postgresql://"):
        with contextlib.closing(sqlite3.connect(location)) as connection:
            connection.execute(sql)
            connection.commit()
        return
    import psycopg

    from trialbook.store.postgres.url import parse_postgres_url

    url = parse_postgres_url(location)
    with psycopg.connect(url.conninfo, options=f"-c search_path={url.schema}") as connection:
        connection.execute(sql)


@pytest.mark.parametrize(
    ("case", "wrong"),
    [
        (None, "UPDATE experiment_columns SET name = 'height' WHERE name = 'width'"),
        (None, "DELETE FROM experiment_columns WHERE name = 'width'"),
        ("a missing name", "UPDATE experiment_columns SET uses = 5 WHERE name = 'dropout'"),
    ],
)
def test_a_catalogue_out_of_step_with_the_parameters_keeps_the_pivot(case, wrong) -> None:
    """The grid takes its parameter names and uses from the catalogue; a first component
    whose names differ from it, or fewer values than it promises, send the frame back to
    the pivot, which reads the names themselves."""
    a_sweep()
    if case:
        break_the_sweep(case)  # the fifth component has no dropout: 4 uses of 5
    write_store(wrong)
    assert grids("sweep") == (False, True)
    built = tb.ExperimentAnalytics(experiment_name="sweep").dataframe()
    pandas.testing.assert_frame_equal(built, reference_analytics("sweep"))
    assert "width" in built.columns and "height" not in built.columns
