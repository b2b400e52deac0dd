"""``Store.finish_component`` (a tracker's exit in one transaction) writes exactly what
``append_metric_points`` followed by ``update_component`` write: the same rows, stored
statuses, tallies, activity and change rows, for every shape of membership."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import read_store_rows
from tests.test_store_tallies import listed, recount
from trialbook.errors import NotFoundError
from trialbook.store import open_store


def build(world: str) -> None:
    """Experiments ``<world>``/``<world>-x`` with: c1 alone in t1; c2 shared by t2 and t3
    (x), t3 also running c3; c4 in no trial; c5 alone in t5 (Completed already)."""
    store = open_store()
    for experiment in (world, f"{world}-x"):
        store.create_experiment(
            experiment, description="d", hypothesis=None, objective=None, variables=None, tags={}
        )
    for trial, experiment in (("t1", world), ("t2", world), ("t3", f"{world}-x"), ("t5", world)):
        store.create_trial(
            f"{world}-{trial}", experiment_name=experiment, variables=None, identity=None, tags={}
        )
    for component in ("c1", "c2", "c3", "c4", "c5"):
        store.create_component(
            f"{world}-{component}",
            display_name=None,
            kind="training",
            tags={},
            provenance=None,
            status="InProgress",
            start_time=time.time(),
        )
    for trial, component in (("t1", "c1"), ("t2", "c2"), ("t3", "c2"), ("t3", "c3"), ("t5", "c5")):
        store.associate(f"{world}-{trial}", f"{world}-{component}")
    store.update_component(f"{world}-c5", status="Completed")


def batch(world: str, *components: str) -> dict[tuple[str, str], list[tuple[int, float, float]]]:
    now = time.time()
    return {
        (f"{world}-{component}", metric): [(0, now, 0.5), (1, now, float("nan"))]
        for component in components
        for metric in ("loss", "acc")
    }


#: (component to close, components with points in the batch, the closing fields)
CLOSES: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    ("c1", ("c1", "c3"), {"status": "Completed", "status_message": None, "end_time": 1.0}),
    ("c2", ("c2",), {"status": "Failed", "status_message": "boom", "end_time": 2.0}),
    ("c4", (), {"status": "Stopped", "status_message": "stop", "end_time": 3.0}),
    ("c3", ("c3",), {"notes": "only notes"}),
    ("c3", (), {"start_time": 0.5}),
    ("c5", ("c5",), {}),
    ("c5", (), {"status": "InProgress", "end_time": None}),
]


def finish_in_one(world: str, component: str, points: Any, fields: dict[str, Any]) -> None:
    open_store().finish_component(f"{world}-{component}", points, **fields)


def finish_in_steps(world: str, component: str, points: Any, fields: dict[str, Any]) -> None:
    store = open_store()
    store.append_metric_points(points)
    store.update_component(f"{world}-{component}", **fields)


def state(world: str) -> dict[str, Any]:
    """What is stored for a world, times replaced by whether they equal the component's."""
    rows: dict[str, Any] = {}
    for name, status, message, end, touched, modified in read_store_rows(
        "SELECT name, status, status_message, end_time, last_activity, last_modified_time"
        " FROM components WHERE name LIKE ? ORDER BY name",
        (f"{world}-%",),
    ):
        rows[name.removeprefix(world)] = (status, message, end, touched == modified)
    # touched: a trial's activity is its latest component's, an experiment's its latest trial's
    for name, stored, sole, touched, latest in read_store_rows(
        "SELECT t.name, t.stored_status, t.sole_component IS NOT NULL, t.last_activity,"
        " (SELECT max(c.last_activity) FROM trial_components tc JOIN components c"
        " ON c.id = tc.component_id WHERE tc.trial_id = t.id) FROM trials t"
        " WHERE t.name LIKE ? ORDER BY t.name",
        (f"{world}-%",),
    ):
        rows[name.removeprefix(world)] = (stored, sole, touched == latest)
    for name, touched, latest in read_store_rows(
        "SELECT e.name, e.last_activity, (SELECT max(t.last_activity) FROM trials t"
        " WHERE t.experiment_id = e.id) FROM experiments e WHERE e.name LIKE ?",
        (f"{world}%",),
    ):
        rows[f"{name.removeprefix(world)} activity"] = touched == latest
    for experiment in (world, f"{world}-x"):
        rows[experiment.removeprefix(world) or "experiment"] = listed(experiment)
        assert listed(experiment) == recount(experiment)
    rows["series"] = read_store_rows(
        "SELECT c.name, s.name, s.count, s.last_value, s.min_value FROM metric_series s"
        " JOIN components c ON c.id = s.component_id WHERE c.name LIKE ? ORDER BY c.name, s.name",
        (f"{world}-%",),
    )
    rows["series"] = [(c.removeprefix(world), *rest) for c, *rest in rows["series"]]
    return rows


def changes(world: str, cursor: int) -> list[tuple[Any, ...]]:
    def plain(text: Any) -> Any:
        return json.loads(json.dumps(text).replace(f"{world}-", "W-").replace(f'"{world}"', '"W"'))

    return [
        (c.kind, c.entity_type, plain(c.entity_name), plain(c.experiment_name), plain(c.payload))
        for c in open_store().changes_since(cursor)
    ]


@pytest.mark.parametrize("index", range(len(CLOSES)))
def test_finish_writes_what_the_steps_write(store_path: Path, index: int) -> None:
    component, with_points, fields = CLOSES[index]
    results = []
    close: Callable[..., None]
    for world, close in (("one", finish_in_one), ("steps", finish_in_steps)):
        build(world)
        for earlier, earlier_points, earlier_fields in CLOSES[:index]:
            close(world, earlier, batch(world, *earlier_points), earlier_fields)
        cursor = open_store().latest_change_cursor()
        close(world, component, batch(world, *with_points), fields)
        results.append((state(world), changes(world, cursor)))
    (one_state, one_changes), (steps_state, steps_changes) = results
    assert one_state == steps_state
    assert one_changes == steps_changes
    assert one_changes  # the close wrote its change rows (or the points' rows)


def test_finishing_an_unknown_component_writes_nothing(store_path: Path) -> None:
    build("w")
    cursor = open_store().latest_change_cursor()
    with pytest.raises(NotFoundError, match="w-c9"):
        open_store().finish_component("w-c9", batch("w", "c1"), status="Completed")
    assert open_store().changes_since(cursor) == []
    assert read_store_rows("SELECT count(*) FROM metric_points") == [(0,)]
