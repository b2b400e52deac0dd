"""`trialbook sync`: round trip, idempotence, increments, conflicts and the change feed."""

from __future__ import annotations

import math
from pathlib import Path

import trialbook
from tests.cli.conftest import invoke_json, populate, snapshot, store_at
from trialbook.cli import exit_codes
from trialbook.store import create_store, open_store, resolve_store_location


def test_round_trip_copies_everything_and_a_second_run_adds_nothing(
    tmp_path: Path, store_path: Path, team_path: Path
) -> None:
    populate(tmp_path)
    report = invoke_json("sync", str(store_path), str(team_path))
    assert report["experiments"] == 2
    assert report["trials"] == 5
    assert report["components"] == 7  # 5 training + shared dataset + unassigned
    assert report["associations"] == 8  # 5 own + the dataset in 3 trials
    assert report["points"] == 3 * 53 + 2
    assert report["conflicts"] == []
    source, team = open_store(), store_at(team_path)
    assert snapshot(team) == snapshot(source)
    statuses = {trial.status for trial in team.list_trials(experiment_name="failures")}
    assert statuses == {"Failed", "Interrupted"}
    dataset = team.get_component("mnist-data").output_artifacts["train.csv"]
    copied = team.artifact_file(dataset)
    assert copied is not None and copied.is_relative_to(team.artifact_root.resolve())
    assert copied.read_text() == "x,y\n1,2\n"
    assert dataset.value == copied.as_uri()

    again = invoke_json("sync", str(store_path), str(team_path))
    assert again["added"] == 0
    assert snapshot(team) == snapshot(source)


def test_only_new_points_and_records_are_copied(
    tmp_path: Path, store_path: Path, team_path: Path
) -> None:
    populate(tmp_path, points=10)
    invoke_json("sync", str(store_path), str(team_path))
    experiment = trialbook.Experiment.load("lr-sweep")
    trial = experiment.list_trials()[0]
    component = next(tc for tc in trial.list_trial_components() if tc.kind == "training")
    with trialbook.Tracker.load(component.trial_component_name) as tracker:
        for step in range(10, 25):
            tracker.log_metric("loss", float(step), iteration_number=step)
    with experiment.run(variables={"lr": 0.5}, rerun=True) as tracker:
        tracker.log_metric("loss", 0.25)
    trialbook.flush()

    report = invoke_json("sync", str(store_path), str(team_path))
    assert report["points"] == 15 + 1
    assert report["trials"] == 1
    assert report["components"] == 1
    assert report["conflicts"] == []
    team = store_at(team_path)
    assert snapshot(team) == snapshot(open_store())
    loss = team.metric_points(component.trial_component_name, "loss")
    assert loss.steps == list(range(25))
    assert not any(math.isnan(value) for value in loss.values)


def test_conflicts_are_reported_and_never_overwritten(
    tmp_path: Path, store_path: Path, team_path: Path
) -> None:
    populate(tmp_path, points=5)
    team = store_at(team_path)
    team.create_experiment(
        "lr-sweep",
        description=None,
        hypothesis="Learning rate does not matter",
        objective=None,
        variables=None,
        tags={},
    )
    failed = open_store().list_components(experiment_name="failures")[0]
    team.create_component(failed.name, display_name="Other", kind="model", tags={}, provenance=None)
    team.set_parameters(failed.name, {"rows": 10}, replace=False)

    report = invoke_json("sync", str(store_path), str(team_path), expect=exit_codes.CONFLICT)
    fields = {
        (conflict["entity_type"], conflict["name"], conflict["field"])
        for conflict in report["conflicts"]
    }
    assert ("experiment", "lr-sweep", "hypothesis") in fields
    assert ("component", failed.name, "display_name") in fields
    assert ("component", failed.name, "kind") in fields
    assert team.get_experiment("lr-sweep").hypothesis == "Learning rate does not matter"
    assert team.list_trials(experiment_name="lr-sweep") == []
    assert team.get_component(failed.name).parameters == {"rows": 10}
    assert team.get_component(failed.name).kind == "model"
    assert "mnist-data" not in {component.name for component in team.list_components()}
    assert report["experiments"] == 1  # "failures" has no conflict and is copied
    assert {trial.name for trial in team.list_trials()} == {
        trial.name for trial in open_store().list_trials(experiment_name="failures")
    }


def test_synced_records_reach_the_destination_change_feed(
    tmp_path: Path, store_path: Path, team_path: Path
) -> None:
    populate(tmp_path, points=5)
    team = store_at(team_path)
    cursor = team.latest_change_cursor()
    invoke_json("sync", str(store_path), str(team_path))
    changes = team.changes_since(cursor, limit=10_000)
    created = {change.entity_name for change in changes if change.kind == "trial.created"}
    assert created == {trial.name for trial in open_store().list_trials()}
    appended = [change for change in changes if change.kind == "metrics.appended"]
    assert appended and all(
        change.experiment_name for change in appended if change.entity_type == "trial"
    )
    cursor = team.latest_change_cursor()
    invoke_json("sync", str(store_path), str(team_path))
    assert team.changes_since(cursor) == []


def test_one_experiment_only(tmp_path: Path, store_path: Path, team_path: Path) -> None:
    populate(tmp_path, points=5)
    report = invoke_json("sync", str(store_path), str(team_path), "--experiment", "failures")
    assert report["experiments"] == 1 and report["trials"] == 2
    assert [record.name for record in store_at(team_path).list_experiments()] == ["failures"]
    from click.testing import CliRunner

    from trialbook.cli.app import cli

    result = CliRunner().invoke(cli, ["sync", str(store_path), str(team_path), "-x", "x"])
    assert result.exit_code == exit_codes.USAGE
    result = CliRunner().invoke(
        cli, ["sync", str(store_path), str(team_path), "--experiment", "nope"]
    )
    assert result.exit_code == exit_codes.NOT_FOUND
    assert "No experiment named ['nope'] in the source store" in result.output


def test_a_missing_source_is_not_found(tmp_path: Path, team_path: Path) -> None:
    from click.testing import CliRunner

    from trialbook.cli.app import cli

    result = CliRunner().invoke(cli, ["sync", str(tmp_path / "nowhere.db"), str(team_path)])
    assert result.exit_code == exit_codes.NOT_FOUND
    assert "No Trialbook store at" in result.output
    assert not team_path.exists()


def test_a_live_run_syncs_as_live_then_as_finished(store_path: Path, team_path: Path) -> None:
    experiment = trialbook.Experiment.create("live", hypothesis="Syncing mid-run works")
    tracker = experiment.run(variables={"lr": 0.1})
    tracker.__enter__()
    tracker.log_metric("loss", 1.0)
    trialbook.flush()
    name = tracker.trial_component.trial_component_name
    first = invoke_json("sync", str(store_path), str(team_path))
    team = store_at(team_path)
    live = team.get_component(name)
    assert live.status == "InProgress"
    assert live.heartbeat_time == open_store().get_component(name).heartbeat_time

    tracker.log_metric("loss", 0.5)
    tracker.__exit__(None, None, None)
    second = invoke_json("sync", str(store_path), str(team_path))
    assert (first["points"], second["points"], second["statuses"]) == (1, 1, 1)
    done = team.get_component(name)
    assert done.status == "Completed" and done.end_time == open_store().get_component(name).end_time
    assert team.get_trial(done.trial_names[0]).status == "Completed"


def test_an_offline_sqlite_store_syncs_into_postgresql(
    tmp_path: Path, store_path: Path, postgres_url: str, monkeypatch
) -> None:
    """The typical case: a training node's SQLite store into the team's PostgreSQL."""
    monkeypatch.setenv("TRIALBOOK_ARTIFACT_ROOT", str(tmp_path / "team-artifacts"))
    populate(tmp_path)
    report = invoke_json("sync", str(store_path), postgres_url)
    assert report["trials"] == 5 and report["points"] == 3 * 53 + 2
    assert report["conflicts"] == []
    source = open_store()
    team = create_store(resolve_store_location(postgres_url))
    try:
        assert snapshot(team) == snapshot(source)
        again = invoke_json("sync", str(store_path), postgres_url)
        assert again["added"] == 0
        assert snapshot(team) == snapshot(source)
        listed = invoke_json("--store", postgres_url, "ls", "lr-sweep", "--query", "lr < 0.2")
        assert sorted(row["variables"]["lr"] for row in listed) == [0.01, 0.1]
    finally:
        team.close()
