from __future__ import annotations

import math

import pandas as pd
import pytest

import trialbook as tb


@pytest.fixture
def experiment() -> tb.Experiment:
    exp = tb.Experiment.create("e", hypothesis="H", variables={"lr": [0.1, 0.2, 0.3]})
    data = tb.TrialComponent.create("data", display_name="Data", kind="dataset")
    for lr in (0.3, 0.1, 0.2):
        with exp.run(variables={"lr": lr}) as tracker:
            tracker.log_parameter("batch_size", 32)
            tracker.log_input("train", "s3://b/train.csv", media_type="text/csv")
            for step in range(5):
                tracker.log_metric("acc", lr * step, step=step)
            tracker.log_metric("loss", float("nan"))
        exp.list_trials()[-1].add_trial_component(data)
    return exp


def test_dataframe_in_sagemakers_shape(experiment: tb.Experiment) -> None:
    frame = tb.ExperimentAnalytics("e").dataframe()
    assert len(frame) == 4  # three training components and the shared dataset
    assert list(frame.columns[:2]) == ["TrialComponentName", "DisplayName"]
    for stat in ("Min", "Max", "Avg", "StdDev", "Last", "Count"):
        assert f"acc - {stat}" in frame.columns
    assert {"train - MediaType", "train - Value", "lr", "batch_size"} <= set(frame.columns)
    assert list(frame.columns[-2:]) == ["Trials", "Experiments"]
    data_row = frame[frame["TrialComponentName"] == "data"].iloc[0]
    assert len(data_row["Trials"]) == 3 and data_row["Experiments"] == ["e"]
    training = frame[frame["DisplayName"] == "Training"]
    assert sorted(training["acc - Max"]) == pytest.approx([0.4, 0.8, 1.2])
    assert training["loss - Count"].tolist() == [1, 1, 1]
    assert training["loss - Min"].isna().all()


def test_sorting_and_filters(experiment: tb.Experiment) -> None:
    frame = tb.ExperimentAnalytics(
        "e",
        sort_by="Metrics.acc.Max",
        sort_order="Descending",
        metric_names=["acc"],
        parameter_names=["lr"],
        input_artifact_names=[],
    ).dataframe()
    assert frame["acc - Max"].tolist()[:3] == pytest.approx([1.2, 0.8, 0.4])
    assert "loss - Max" not in frame.columns and "batch_size" not in frame.columns
    assert "train - Value" not in frame.columns
    by_param = tb.ExperimentAnalytics("e", sort_by="Parameters.lr").dataframe()
    assert by_param["lr"].tolist()[:3] == [0.1, 0.2, 0.3]
    by_name = tb.ExperimentAnalytics("e", sort_by="Name").dataframe()
    assert by_name["TrialComponentName"].tolist() == sorted(by_name["TrialComponentName"])
    created = tb.ExperimentAnalytics("e", sort_by="CreationTime").dataframe()
    assert created["TrialComponentName"].iloc[0] == "data"
    with pytest.raises(tb.ValidationError):
        tb.ExperimentAnalytics("e", sort_by="Metrics.acc.Median").dataframe()
    with pytest.raises(tb.ValidationError):
        tb.ExperimentAnalytics("e", sort_order="Up")
    with pytest.raises(tb.NotFoundError):
        tb.ExperimentAnalytics("missing")


def test_cached_until_force_refresh(experiment: tb.Experiment) -> None:
    analytics = tb.ExperimentAnalytics("e")
    first = analytics.dataframe()
    with experiment.run(variables={"lr": 0.1}, rerun=True):
        pass
    assert analytics.dataframe() is first
    assert len(analytics.dataframe(force_refresh=True)) == 5


def test_metrics_dataframe_long_format(experiment: tb.Experiment) -> None:
    frame = tb.ExperimentAnalytics("e").metrics_dataframe()
    assert list(frame.columns) == [
        "TrialComponentName",
        "Trials",
        "metric",
        "step",
        "timestamp",
        "value",
    ]
    assert len(frame) == 3 * 6
    assert str(frame["timestamp"].dt.tz) == "UTC"
    acc = frame[frame["metric"] == "acc"]
    assert sorted(acc["step"].unique()) == [0, 1, 2, 3, 4]
    assert math.isnan(frame[frame["metric"] == "loss"]["value"].iloc[0])


def test_export_csv(experiment: tb.Experiment, tmp_path) -> None:
    path = tmp_path / "out.csv"
    tb.ExperimentAnalytics("e").export_csv(str(path))
    assert len(pd.read_csv(path)) == 4
