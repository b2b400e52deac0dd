"""The SQLite store: WAL, busy timeout, write transactions retried, all SQL in this module."""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import itertools
import json
import math
import operator
import os
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from trialbook import settings
from trialbook.errors import AlreadyExistsError, NotFoundError, TrialbookError, ValidationError
from trialbook.status import ALL_STATUSES, component_status, experiment_status, trial_status
from trialbook.store import schema
from trialbook.store.base import (
    ArtifactRecord,
    Change,
    ComponentRecord,
    ExperimentRecord,
    MetricPoint,
    MetricSummary,
    OwnerKind,
    ParameterValue,
    SeriesKey,
    SeriesPoints,
    Store,
    TrialQuery,
    TrialRecord,
    TrialTable,
    objective_value,
    trial_metric_keys,
)
from trialbook.store.location import StoreLocation

T = TypeVar("T")

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "9p",
        "fuse.sshfs",
        "sshfs",
        "afs",
        "ncpfs",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "ceph",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.rclone",
        "davfs",
        "fuse.davfs",
    }
)
_point_step = operator.itemgetter(0)
_point_time = operator.itemgetter(1)
_point_value = operator.itemgetter(2)
_CHUNK = 500  # keep IN (...) lists below SQLite's variable limit
_RETRY_SECONDS = 300.0

# The change rows of the write transaction running on this thread, handed to the store's
# change listeners once it commits (see Store.add_change_listener).
_transaction_changes = threading.local()
_RAW_DECIMATION_LIMIT = 8  # series up to 8 × max_points are decimated from raw points
_EXPERIMENT_FIELDS = frozenset(
    {"description", "hypothesis", "objective", "variables", "tags", "notes"}
)
_TRIAL_FIELDS = frozenset({"tags", "notes"})
_COMPONENT_FIELDS = frozenset(
    {"display_name", "kind", "status", "status_message", "start_time", "end_time", "tags", "notes"}
)
_JSON_FIELDS = frozenset({"objective", "variables", "tags"})


def filesystem_type(path: Path) -> str | None:
    """The fstype of the mount holding ``path`` according to /proc/mounts (Linux only)."""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            entries = [line.split() for line in mounts]
    except OSError:
        return None
    target = str(path.resolve())
    best: tuple[int, str] | None = None
    for entry in entries:
        if len(entry) < 3:
            continue
        mount_point = entry[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), entry[2])
    return best[1] if best else None


def check_local_filesystem(directory: Path) -> None:
    fstype = filesystem_type(directory)
    if fstype in NETWORK_FILESYSTEMS:
        raise TrialbookError(
            f"The Trialbook store directory {directory} is on a network filesystem ({fstype}). "
            "SQLite's WAL mode is not safe there and concurrent writers would corrupt it. "
            "Point TRIALBOOK_STORE at a path on a local disk, or at a PostgreSQL database "
            "(TRIALBOOK_STORE=postgresql://user@host/db) for a store shared between machines."
        )


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _marks(count: int) -> str:
    return ",".join("?" * count)


class SqliteStore(Store):
    """A store in one SQLite file; one connection per thread, re-made after fork."""

    def __init__(self, location: StoreLocation) -> None:
        if location.path is None:
            raise TrialbookError(f"not a SQLite location: {location.describe()}")
        self.location = location
        self.path = location.path
        self.artifact_root = location.artifact_root
        self.path.parent.mkdir(parents=True, exist_ok=True)
        check_local_filesystem(self.path.parent)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._inherited: list[sqlite3.Connection] = []
        self._connection()  # fail early: permissions, schema version, migrations

    # -- connections -----------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            return connection
        connection = sqlite3.connect(
            str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 30000")
        self._retry(lambda: connection.execute("PRAGMA journal_mode = WAL").fetchone())
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        self._retry(lambda: schema.migrate(connection, str(self.path)))
        self._local.connection = connection
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
        self._local = threading.local()

    def reset_after_fork(self) -> None:
        # Never close a connection inherited across fork (SQLite forbids using it in the
        # child); keep a reference so garbage collection does not close it either.
        self._inherited.extend(self._connections)
        self._connections = []
        self._connections_lock = threading.Lock()
        self._local = threading.local()

    def _retry(self, operation: Callable[[], T]) -> T:
        deadline = time.monotonic() + _RETRY_SECONDS
        delay = 0.005
        while True:
            try:
                return operation()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def _write(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in a BEGIN IMMEDIATE transaction, retrying while the file is locked."""
        connection = self._connection()

        def attempt() -> T:
            _transaction_changes.rows = []
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = body(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            finally:
                committed, _transaction_changes.rows = _transaction_changes.rows, None
            if committed:
                self._notify_change_listeners(committed)
            return result

        return self._retry(attempt)

    def _read(self, body: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``body`` in one read transaction (a consistent snapshot)."""
        connection = self._connection()

        def attempt() -> T:
            connection.execute("BEGIN")
            try:
                return body(connection)
            finally:
                if connection.in_transaction:
                    connection.execute("COMMIT")

        return self._retry(attempt)

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _change(
        connection: sqlite3.Connection,
        now: float,
        kind: str,
        entity_type: str,
        entity_name: str,
        experiment_name: str | None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        cursor = connection.execute(
            "INSERT INTO changes (time, kind, entity_type, entity_name, experiment_name, payload)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (now, kind, entity_type, entity_name, experiment_name, _dumps(payload or {})),
        )
        rows = getattr(_transaction_changes, "rows", None)
        if rows is not None:
            rows.append(
                Change(
                    cursor.lastrowid or 0,
                    now,
                    kind,
                    entity_type,
                    entity_name,
                    experiment_name,
                    dict(payload or {}),
                )
            )

    @staticmethod
    def _not_found(
        connection: sqlite3.Connection, table: str, what: str, name: str, hint: str
    ) -> NotFoundError:
        names = [
            row[0]
            for row in connection.execute(f"SELECT name FROM {table} ORDER BY id DESC LIMIT 2000")
        ]
        close = difflib.get_close_matches(name, names, n=3)
        suggestion = f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""
        return NotFoundError(f"No {what} named {name!r} in the store.{suggestion} {hint}")

    def _id(self, connection: sqlite3.Connection, table: str, name: str) -> int:
        row = connection.execute(f"SELECT id FROM {table} WHERE name = ?", (name,)).fetchone()
        if row is None:
            what, hint = {
                "experiments": ("experiment", "List them with trialbook.Experiment.list()."),
                "trials": ("trial", "List them with trialbook.Trial.list()."),
                "components": (
                    "trial component",
                    "List them with trialbook.TrialComponent.list().",
                ),
            }[table]
            raise self._not_found(connection, table, what, name, hint)
        return int(row[0])

    @staticmethod
    def _experiments_of_components(
        connection: sqlite3.Connection, component_ids: Sequence[int]
    ) -> dict[int, tuple[list[str], list[str]]]:
        """component id → (trial names, experiment names)."""
        result: dict[int, tuple[list[str], list[str]]] = {cid: ([], []) for cid in component_ids}
        for chunk in _chunks(list(component_ids)):
            rows = connection.execute(
                "SELECT tc.component_id, t.name, e.name FROM trial_components tc"
                " JOIN trials t ON t.id = tc.trial_id JOIN experiments e ON e.id = t.experiment_id"
                f" WHERE tc.component_id IN ({_marks(len(chunk))}) ORDER BY t.id",
                tuple(chunk),
            )
            for component_id, trial_name, experiment_name in rows:
                trials, experiments = result[component_id]
                trials.append(trial_name)
                if experiment_name not in experiments:
                    experiments.append(experiment_name)
        return result

    @staticmethod
    def _touch_components(
        connection: sqlite3.Connection, component_ids: Sequence[int], now: float
    ) -> None:
        """Propagate last_activity from components to their trials and experiments."""
        for chunk in _chunks(list(component_ids)):
            marks = _marks(len(chunk))
            connection.execute(
                f"UPDATE components SET last_activity = ? WHERE id IN ({marks})", (now, *chunk)
            )
            connection.execute(
                "UPDATE trials SET last_activity = ? WHERE id IN (SELECT trial_id FROM"
                f" trial_components WHERE component_id IN ({marks}))",
                (now, *chunk),
            )
            connection.execute(
                "UPDATE experiments SET last_activity = ? WHERE id IN (SELECT t.experiment_id"
                " FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
                f" WHERE tc.component_id IN ({marks}))",
                (now, *chunk),
            )

    def _component_event(
        self,
        connection: sqlite3.Connection,
        component_id: int,
        name: str,
        kind: str,
        now: float,
        payload: dict[str, Any],
    ) -> None:
        trials, experiments = self._experiments_of_components(connection, [component_id])[
            component_id
        ]
        payload = {**payload, "trials": trials, "experiments": experiments}
        self._change(
            connection,
            now,
            kind,
            "component",
            name,
            experiments[0] if experiments else None,
            payload,
        )
        self._touch_components(connection, [component_id], now)

    # -- experiments -----------------------------------------------------------------------
    _EXPERIMENT_COLUMNS = (
        "name, description, hypothesis, objective, variables, tags, notes, creation_time,"
        " last_modified_time, last_activity"
    )

    @staticmethod
    def _experiment_record(row: Sequence[Any]) -> ExperimentRecord:
        return ExperimentRecord(
            name=row[0],
            description=row[1],
            hypothesis=row[2],
            objective=_loads(row[3]),
            variables=_loads(row[4]),
            tags=_loads(row[5]) or {},
            notes=row[6],
            creation_time=row[7],
            last_modified_time=row[8],
            last_activity=row[9],
        )

    def _experiment_by_name(self, connection: sqlite3.Connection, name: str) -> ExperimentRecord:
        row = connection.execute(
            f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise self._not_found(
                connection,
                "experiments",
                "experiment",
                name,
                "Create it with trialbook.Experiment.create(name, hypothesis=...) or list them "
                "with trialbook.Experiment.list().",
            )
        return self._experiment_record(row)

    def create_experiment(
        self,
        name: str,
        *,
        description: str | None,
        hypothesis: str | None,
        objective: dict[str, Any] | None,
        variables: dict[str, Any] | None,
        tags: Mapping[str, str],
    ) -> ExperimentRecord:
        def body(connection: sqlite3.Connection) -> ExperimentRecord:
            now = time.time()
            try:
                connection.execute(
                    "INSERT INTO experiments (name, description, hypothesis, objective, variables,"
                    " tags, notes, creation_time, last_modified_time, last_activity)"
                    " VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                    (
                        name,
                        description,
                        hypothesis,
                        None if objective is None else _dumps(objective),
                        None if variables is None else _dumps(variables),
                        _dumps(dict(tags)),
                        now,
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError:
                existing = self._experiment_by_name(connection, name)
                raise AlreadyExistsError(
                    f"An experiment named {name!r} already exists. Load it with "
                    f"Experiment.load({name!r}) or pass exist_ok=True to Experiment.create.",
                    existing,
                ) from None
            self._change(connection, now, "experiment.created", "experiment", name, name)
            return self._experiment_by_name(connection, name)

        return self._write(body)

    def get_experiment(self, name: str) -> ExperimentRecord:
        return self._read(lambda connection: self._experiment_by_name(connection, name))

    def list_experiments(self) -> list[ExperimentRecord]:
        def body(connection: sqlite3.Connection) -> list[ExperimentRecord]:
            rows = connection.execute(
                f"SELECT {self._EXPERIMENT_COLUMNS} FROM experiments ORDER BY id"
            )
            return [self._experiment_record(row) for row in rows]

        return self._read(body)

    def update_experiment(self, name: str, **fields: Any) -> ExperimentRecord:
        self._check_fields(fields, _EXPERIMENT_FIELDS)

        def body(connection: sqlite3.Connection) -> ExperimentRecord:
            self._id(connection, "experiments", name)
            now = time.time()
            if fields:
                assignments = ", ".join(f"{key} = ?" for key in fields)
                values = [self._column_value(key, value) for key, value in fields.items()]
                connection.execute(
                    f"UPDATE experiments SET {assignments}, last_modified_time = ?,"
                    " last_activity = ? WHERE name = ?",
                    (*values, now, now, name),
                )
                self._change(
                    connection,
                    now,
                    "experiment.updated",
                    "experiment",
                    name,
                    name,
                    {"fields": sorted(fields)},
                )
            return self._experiment_by_name(connection, name)

        return self._write(body)

    @staticmethod
    def _check_fields(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
        unknown = set(fields) - allowed
        if unknown:
            raise ValidationError(f"cannot update {sorted(unknown)}; updatable: {sorted(allowed)}")

    @staticmethod
    def _column_value(key: str, value: Any) -> Any:
        if key in _JSON_FIELDS:
            return None if value is None else _dumps(value)
        return value

    def delete_experiment(self, name: str, *, force: bool = False) -> None:
        def body(connection: sqlite3.Connection) -> list[str]:
            experiment_id = self._id(connection, "experiments", name)
            trial_ids = [
                row[0]
                for row in connection.execute(
                    "SELECT id FROM trials WHERE experiment_id = ?", (experiment_id,)
                )
            ]
            if trial_ids and not force:
                raise ValidationError(
                    f"Experiment {name!r} still has {len(trial_ids)} trial(s); delete them first "
                    "or call exp.delete_all(action='--force') to delete the experiment with its "
                    "trials and the components used only by them."
                )
            now = time.time()
            paths = self._delete_trials(connection, trial_ids, now, name)
            connection.execute("DELETE FROM experiments WHERE id = ?", (experiment_id,))
            self._change(
                connection, now, "deleted", "experiment", name, name, {"trials": len(trial_ids)}
            )
            return paths

        self._remove_unreferenced_files(self._write(body))

    def _delete_trials(
        self, connection: sqlite3.Connection, trial_ids: Sequence[int], now: float, experiment: str
    ) -> list[str]:
        """Delete trials, their exclusive components; return artifact paths to check."""
        if not trial_ids:
            return []
        trial_set = set(trial_ids)
        component_ids: set[int] = set()
        for chunk in _chunks(list(trial_ids)):
            component_ids.update(
                row[0]
                for row in connection.execute(
                    f"SELECT component_id FROM trial_components"
                    f" WHERE trial_id IN ({_marks(len(chunk))})",
                    tuple(chunk),
                )
            )
        exclusive: list[int] = []
        for chunk in _chunks(sorted(component_ids)):
            owners: dict[int, set[int]] = {cid: set() for cid in chunk}
            for component_id, trial_id in connection.execute(
                "SELECT component_id, trial_id FROM trial_components"
                f" WHERE component_id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                owners[component_id].add(trial_id)
            exclusive.extend(cid for cid, trials in owners.items() if trials <= trial_set)
        paths = self._delete_components(connection, exclusive, now, experiment)
        for chunk in _chunks(list(trial_ids)):
            marks = _marks(len(chunk))
            names = [
                row[0]
                for row in connection.execute(
                    f"SELECT name FROM trials WHERE id IN ({marks})", tuple(chunk)
                )
            ]
            connection.execute(
                f"DELETE FROM trial_components WHERE trial_id IN ({marks})", tuple(chunk)
            )
            connection.execute(f"DELETE FROM trials WHERE id IN ({marks})", tuple(chunk))
            for trial_name in names:
                self._change(connection, now, "deleted", "trial", trial_name, experiment)
        return paths

    def _delete_components(
        self,
        connection: sqlite3.Connection,
        component_ids: Sequence[int],
        now: float,
        experiment: str | None,
    ) -> list[str]:
        paths: list[str] = []
        for chunk in _chunks(list(component_ids)):
            marks = _marks(len(chunk))
            paths.extend(
                row[0]
                for row in connection.execute(
                    f"SELECT path FROM artifacts WHERE component_id IN ({marks})"
                    " AND path IS NOT NULL",
                    tuple(chunk),
                )
            )
            names = [
                row[0]
                for row in connection.execute(
                    f"SELECT name FROM components WHERE id IN ({marks})", tuple(chunk)
                )
            ]
            connection.execute(f"DELETE FROM components WHERE id IN ({marks})", tuple(chunk))
            for component_name in names:
                self._change(connection, now, "deleted", "component", component_name, experiment)
        return paths

    def _remove_unreferenced_files(self, paths: Iterable[str]) -> None:
        candidates = sorted(set(paths))
        if not candidates:
            return

        def body(connection: sqlite3.Connection) -> list[str]:
            return [
                path
                for path in candidates
                if connection.execute(
                    "SELECT 1 FROM artifacts WHERE path = ? LIMIT 1", (path,)
                ).fetchone()
                is None
            ]

        root = self.artifact_root.resolve()
        for relative in self._read(body):
            target = (root / relative).resolve()
            if not target.is_relative_to(root):
                continue
            try:
                target.unlink()
                target.parent.rmdir()  # content-addressed folder: empty once its file is gone
            except OSError:
                pass

    # -- trials ----------------------------------------------------------------------------
    _TRIAL_SELECT = (
        "SELECT t.id, t.name, e.name, t.variables, t.identity, t.tags, t.notes, t.creation_time,"
        " t.last_modified_time, t.last_activity FROM trials t"
        " JOIN experiments e ON e.id = t.experiment_id"
    )

    def _trial_records(
        self, connection: sqlite3.Connection, where: str, parameters: Sequence[Any]
    ) -> list[TrialRecord]:
        rows = connection.execute(
            f"{self._TRIAL_SELECT} {where} ORDER BY t.id", tuple(parameters)
        ).fetchall()
        statuses = self._trial_statuses(connection, [row[0] for row in rows])
        return [
            TrialRecord(
                name=row[1],
                experiment_name=row[2],
                variables=_loads(row[3]),
                identity=row[4],
                tags=_loads(row[5]) or {},
                notes=row[6],
                creation_time=row[7],
                last_modified_time=row[8],
                last_activity=row[9],
                status=statuses.get(row[0]),
            )
            for row in rows
        ]

    def _trial_statuses(
        self, connection: sqlite3.Connection, trial_ids: Sequence[int]
    ) -> dict[int, str | None]:
        now, stale = time.time(), settings.stale_seconds()
        members: dict[int, list[tuple[str | None, float | None, float]]] = {}
        for chunk in _chunks(list(trial_ids)):
            for trial_id, status, heartbeat, start, created in connection.execute(
                "SELECT tc.trial_id, c.status, c.heartbeat_time, c.start_time, c.creation_time"
                " FROM trial_components tc JOIN components c ON c.id = tc.component_id"
                f" WHERE tc.trial_id IN ({_marks(len(chunk))})",
                tuple(chunk),
            ):
                derived = component_status(status, heartbeat, now=now, stale_after=stale)
                members.setdefault(trial_id, []).append((derived, start, created))
        return {trial_id: trial_status(members.get(trial_id, [])) for trial_id in trial_ids}

    def _trial_by_name(self, connection: sqlite3.Connection, name: str) -> TrialRecord:
        records = self._trial_records(connection, "WHERE t.name = ?", (name,))
        if not records:
            raise self._not_found(
                connection,
                "trials",
                "trial",
                name,
                "List them with trialbook.Trial.list(experiment_name=...).",
            )
        return records[0]

    def create_trial(
        self,
        name: str,
        *,
        experiment_name: str,
        variables: dict[str, Any] | None,
        identity: str | None,
        tags: Mapping[str, str],
    ) -> TrialRecord:
        def body(connection: sqlite3.Connection) -> TrialRecord:
            experiment_id = self._id(connection, "experiments", experiment_name)
            if identity is not None:
                existing = self._trial_records(
                    connection,
                    "WHERE t.experiment_id = ? AND t.identity = ?",
                    (experiment_id, identity),
                )
                if existing:
                    raise _duplicate_variables(experiment_name, existing[0])
            now = time.time()
            try:
                connection.execute(
                    "INSERT INTO trials (name, experiment_id, variables, identity, tags, notes,"
                    " creation_time, last_modified_time, last_activity)"
                    " VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                    (
                        name,
                        experiment_id,
                        None if variables is None else _dumps(variables),
                        identity,
                        _dumps(dict(tags)),
                        now,
                        now,
                        now,
                    ),
                )
            except sqlite3.IntegrityError:
                existing_by_name = self._trial_by_name(connection, name)
                raise AlreadyExistsError(
                    f"A trial named {name!r} already exists (in experiment "
                    f"{existing_by_name.experiment_name!r}); trial names are unique in a store. "
                    f"Load it with Trial.load({name!r}) or choose another name.",
                    existing_by_name,
                ) from None
            connection.execute(
                "UPDATE experiments SET last_activity = ? WHERE id = ?", (now, experiment_id)
            )
            self._change(
                connection,
                now,
                "trial.created",
                "trial",
                name,
                experiment_name,
                {"variables": variables},
            )
            return self._trial_by_name(connection, name)

        return self._write(body)

    def get_trial(self, name: str) -> TrialRecord:
        return self._read(lambda connection: self._trial_by_name(connection, name))

    def find_trial(self, experiment_name: str, identity: str) -> TrialRecord | None:
        def body(connection: sqlite3.Connection) -> TrialRecord | None:
            experiment_id = self._id(connection, "experiments", experiment_name)
            records = self._trial_records(
                connection,
                "WHERE t.experiment_id = ? AND t.identity = ?",
                (experiment_id, identity),
            )
            return records[0] if records else None

        return self._read(body)

    def list_trials(
        self, *, experiment_name: str | None = None, component_name: str | None = None
    ) -> list[TrialRecord]:
        def body(connection: sqlite3.Connection) -> list[TrialRecord]:
            clauses, parameters = [], []
            if experiment_name is not None:
                clauses.append("t.experiment_id = ?")
                parameters.append(self._id(connection, "experiments", experiment_name))
            if component_name is not None:
                clauses.append(
                    "t.id IN (SELECT trial_id FROM trial_components WHERE component_id = ?)"
                )
                parameters.append(self._id(connection, "components", component_name))
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            return self._trial_records(connection, where, parameters)

        return self._read(body)

    def update_trial(self, name: str, **fields: Any) -> TrialRecord:
        self._check_fields(fields, _TRIAL_FIELDS)

        def body(connection: sqlite3.Connection) -> TrialRecord:
            trial = self._trial_by_name(connection, name)
            if fields:
                now = time.time()
                assignments = ", ".join(f"{key} = ?" for key in fields)
                values = [self._column_value(key, value) for key, value in fields.items()]
                connection.execute(
                    f"UPDATE trials SET {assignments}, last_modified_time = ?, last_activity = ?"
                    " WHERE name = ?",
                    (*values, now, now, name),
                )
                self._change(
                    connection,
                    now,
                    "trial.updated",
                    "trial",
                    name,
                    trial.experiment_name,
                    {"fields": sorted(fields)},
                )
            return self._trial_by_name(connection, name)

        return self._write(body)

    def delete_trial(self, name: str, *, force: bool = False) -> None:
        def body(connection: sqlite3.Connection) -> list[str]:
            trial = self._trial_by_name(connection, name)
            trial_id = self._id(connection, "trials", name)
            count = connection.execute(
                "SELECT count(*) FROM trial_components WHERE trial_id = ?", (trial_id,)
            ).fetchone()[0]
            if count and not force:
                raise ValidationError(
                    f"Trial {name!r} still has {count} trial component(s); remove them with "
                    "trial.remove_trial_component(...) "
                    "or call trial.delete(force=True) (components "
                    "used only by this trial are deleted, shared ones disassociated)."
                )
            return self._delete_trials(connection, [trial_id], time.time(), trial.experiment_name)

        self._remove_unreferenced_files(self._write(body))

    # -- components ------------------------------------------------------------------------
    _COMPONENT_COLUMNS = (
        "id, name, display_name, kind, status, status_message, start_time, end_time,"
        " creation_time, last_modified_time, last_activity, heartbeat_time, tags, notes, provenance"
    )

    def _component_records(
        self,
        connection: sqlite3.Connection,
        where: str,
        parameters: Sequence[Any],
        *,
        with_provenance: bool = True,
    ) -> list[ComponentRecord]:
        rows = connection.execute(
            f"SELECT {self._COMPONENT_COLUMNS} FROM components {where} ORDER BY id",
            tuple(parameters),
        ).fetchall()
        now, stale = time.time(), settings.stale_seconds()
        records: dict[int, ComponentRecord] = {}
        for row in rows:
            records[row[0]] = ComponentRecord(
                name=row[1],
                display_name=row[2],
                kind=row[3],
                status=component_status(row[4], row[11], now=now, stale_after=stale),
                status_message=row[5],
                start_time=row[6],
                end_time=row[7],
                creation_time=row[8],
                last_modified_time=row[9],
                last_activity=row[10],
                heartbeat_time=row[11],
                tags=_loads(row[12]) or {},
                notes=row[13],
                provenance=_loads(row[14]) if with_provenance else None,
            )
        ids = list(records)
        for chunk in _chunks(ids):
            marks, values = _marks(len(chunk)), tuple(chunk)
            for component_id, name, kind, value in connection.execute(
                f"SELECT component_id, name, type, value FROM parameters"
                f" WHERE component_id IN ({marks})"
                " ORDER BY component_id, rowid",
                values,
            ):
                records[component_id].parameters[name] = _parameter_value(kind, value)
            for row in connection.execute(
                "SELECT a.id, a.component_id, a.direction, a.name, a.value, a.media_type, a.sha256,"
                " a.size, a.path, a.creation_time FROM artifacts a"
                f" WHERE a.component_id IN ({marks}) ORDER BY a.id",
                values,
            ):
                record = records[row[1]]
                artifact = ArtifactRecord(
                    row[0],
                    record.name,
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                )
                target = record.input_artifacts if row[2] == "input" else record.output_artifacts
                target[row[3]] = artifact
            for component_id, summary in self._summaries(connection, chunk):
                records[component_id].metrics[summary.metric] = summary
            for component_id, trial_name in connection.execute(
                "SELECT tc.component_id, t.name FROM trial_components tc JOIN trials t"
                f" ON t.id = tc.trial_id WHERE tc.component_id IN ({marks}) ORDER BY t.id",
                values,
            ):
                records[component_id].trial_names.append(trial_name)
        return list(records.values())

    @staticmethod
    def _summaries(
        connection: sqlite3.Connection, component_ids: Sequence[int]
    ) -> Iterable[tuple[int, MetricSummary]]:
        rows = connection.execute(
            "SELECT component_id, name, count, finite_count, pos_inf_count, neg_inf_count, mean,"
            " m2, min_value, max_value, last_step, last_time, last_value, first_time"
            f" FROM metric_series WHERE component_id IN ({_marks(len(component_ids))}) ORDER BY id",
            tuple(component_ids),
        )
        for row in rows:
            yield row[0], _summary(row[1:])

    def _component_by_name(self, connection: sqlite3.Connection, name: str) -> ComponentRecord:
        records = self._component_records(connection, "WHERE name = ?", (name,))
        if not records:
            raise self._not_found(
                connection,
                "components",
                "trial component",
                name,
                "List them with trialbook.TrialComponent.list().",
            )
        return records[0]

    def create_component(
        self,
        name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Mapping[str, str],
        provenance: dict[str, Any] | None,
        status: str | None = None,
        start_time: float | None = None,
    ) -> ComponentRecord:
        def body(connection: sqlite3.Connection) -> ComponentRecord:
            now = time.time()
            heartbeat = now if status == "InProgress" else None
            try:
                connection.execute(
                    "INSERT INTO components (name, display_name, kind, status, start_time,"
                    " creation_time, last_modified_time, last_activity, heartbeat_time, tags,"
                    " provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        name,
                        display_name,
                        kind,
                        status,
                        start_time,
                        now,
                        now,
                        now,
                        heartbeat,
                        _dumps(dict(tags)),
                        None if provenance is None else _dumps(provenance),
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlreadyExistsError(
                    f"A trial component named {name!r} already exists. Load it with "
                    f"TrialComponent.load({name!r}) (or Tracker.load) or choose another name.",
                    self._component_by_name(connection, name),
                ) from None
            self._change(
                connection,
                now,
                "component.created",
                "component",
                name,
                None,
                {"kind": kind, "status": status},
            )
            return self._component_by_name(connection, name)

        return self._write(body)

    def get_component(self, name: str) -> ComponentRecord:
        return self._read(lambda connection: self._component_by_name(connection, name))

    def list_components(
        self,
        *,
        trial_name: str | None = None,
        experiment_name: str | None = None,
        unassigned: bool = False,
    ) -> list[ComponentRecord]:
        def body(connection: sqlite3.Connection) -> list[ComponentRecord]:
            clauses, parameters = [], []
            if trial_name is not None:
                clauses.append(
                    "id IN (SELECT component_id FROM trial_components WHERE trial_id = ?)"
                )
                parameters.append(self._id(connection, "trials", trial_name))
            if experiment_name is not None:
                clauses.append(
                    "id IN (SELECT tc.component_id FROM trial_components tc JOIN trials t"
                    " ON t.id = tc.trial_id WHERE t.experiment_id = ?)"
                )
                parameters.append(self._id(connection, "experiments", experiment_name))
            if unassigned:
                clauses.append("id NOT IN (SELECT component_id FROM trial_components)")
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            return self._component_records(connection, where, parameters)

        return self._read(body)

    def update_component(self, name: str, **fields: Any) -> ComponentRecord:
        self._check_fields(fields, _COMPONENT_FIELDS)

        def body(connection: sqlite3.Connection) -> ComponentRecord:
            component_id = self._id(connection, "components", name)
            if fields:
                now = time.time()
                columns = dict(fields)
                if columns.get("status") == "InProgress":
                    columns["heartbeat_time"] = now
                assignments = ", ".join(f"{key} = ?" for key in columns)
                values = [self._column_value(key, value) for key, value in columns.items()]
                connection.execute(
                    f"UPDATE components SET {assignments}, last_modified_time = ? WHERE id = ?",
                    (*values, now, component_id),
                )
                kind = "component.status" if "status" in fields else "component.updated"
                payload: dict[str, Any] = {"fields": sorted(fields)}
                if "status" in fields:
                    payload["status"] = fields["status"]
                self._component_event(connection, component_id, name, kind, now, payload)
            return self._component_by_name(connection, name)

        return self._write(body)

    def delete_component(self, name: str, *, force_disassociate: bool = False) -> None:
        def body(connection: sqlite3.Connection) -> list[str]:
            component_id = self._id(connection, "components", name)
            trials, experiments = self._experiments_of_components(connection, [component_id])[
                component_id
            ]
            if trials and not force_disassociate:
                raise ValidationError(
                    f"Trial component {name!r} is in trial(s) {trials}; remove it from them first "
                    "or call tc.delete(force_disassociate=True)."
                )
            now = time.time()
            connection.execute(
                "DELETE FROM trial_components WHERE component_id = ?", (component_id,)
            )
            return self._delete_components(
                connection, [component_id], now, experiments[0] if experiments else None
            )

        self._remove_unreferenced_files(self._write(body))

    def associate(self, trial_name: str, component_name: str) -> None:
        def body(connection: sqlite3.Connection) -> None:
            trial = self._trial_by_name(connection, trial_name)
            trial_id = self._id(connection, "trials", trial_name)
            component_id = self._id(connection, "components", component_name)
            now = time.time()
            cursor = connection.execute(
                "INSERT OR IGNORE INTO trial_components (trial_id, component_id, added_time)"
                " VALUES (?, ?, ?)",
                (trial_id, component_id, now),
            )
            if cursor.rowcount:
                self._change(
                    connection,
                    now,
                    "trial.component_added",
                    "trial",
                    trial_name,
                    trial.experiment_name,
                    {"component": component_name},
                )
                self._touch_components(connection, [component_id], now)

        self._write(body)

    def disassociate(self, trial_name: str, component_name: str) -> None:
        def body(connection: sqlite3.Connection) -> None:
            trial = self._trial_by_name(connection, trial_name)
            trial_id = self._id(connection, "trials", trial_name)
            component_id = self._id(connection, "components", component_name)
            now = time.time()
            cursor = connection.execute(
                "DELETE FROM trial_components WHERE trial_id = ? AND component_id = ?",
                (trial_id, component_id),
            )
            if cursor.rowcount:
                self._change(
                    connection,
                    now,
                    "trial.component_removed",
                    "trial",
                    trial_name,
                    trial.experiment_name,
                    {"component": component_name},
                )
                connection.execute(
                    "UPDATE trials SET last_activity = ? WHERE id = ?", (now, trial_id)
                )
                connection.execute(
                    "UPDATE experiments SET last_activity = ? WHERE name = ?",
                    (now, trial.experiment_name),
                )

        self._write(body)

    def set_parameters(
        self, component_name: str, parameters: Mapping[str, ParameterValue], *, replace: bool
    ) -> None:
        rows = [(name, *_parameter_row(value)) for name, value in parameters.items()]

        def body(connection: sqlite3.Connection) -> None:
            component_id = self._id(connection, "components", component_name)
            if replace:
                connection.execute("DELETE FROM parameters WHERE component_id = ?", (component_id,))
            connection.executemany(
                "INSERT INTO parameters (component_id, name, type, value) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (component_id, name) DO UPDATE SET type = excluded.type,"
                " value = excluded.value",
                [(component_id, *row) for row in rows],
            )
            now = time.time()
            self._component_event(
                connection,
                component_id,
                component_name,
                "parameters.logged",
                now,
                {"names": sorted(parameters)},
            )

        self._write(body)

    def import_artifact_file(self, file_path: Path) -> tuple[str, str, int]:
        objects = self.artifact_root / "objects"
        objects.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with (
            open(file_path, "rb") as source,
            tempfile.NamedTemporaryFile(dir=objects, prefix=".incoming-", delete=False) as target,
        ):
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        relative = Path("objects") / sha256[:2] / sha256 / file_path.name
        final = self.artifact_root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(target.name)
        else:
            os.replace(target.name, final)
        return relative.as_posix(), sha256, size

    def put_artifact(
        self,
        component_name: str,
        *,
        direction: str,
        name: str,
        value: str,
        media_type: str | None,
        sha256: str | None = None,
        size: int | None = None,
        path: str | None = None,
    ) -> ArtifactRecord:
        def body(connection: sqlite3.Connection) -> tuple[ArtifactRecord, str | None]:
            component_id = self._id(connection, "components", component_name)
            old = connection.execute(
                "SELECT path FROM artifacts WHERE component_id = ? AND direction = ? AND name = ?",
                (component_id, direction, name),
            ).fetchone()
            now = time.time()
            connection.execute(
                "INSERT INTO artifacts (component_id, direction, name, value, media_type, sha256,"
                " size, path, creation_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (component_id, direction, name) DO UPDATE SET value = excluded.value,"
                " media_type = excluded.media_type, sha256 = excluded.sha256, size = excluded.size,"
                " path = excluded.path, creation_time = excluded.creation_time",
                (component_id, direction, name, value, media_type, sha256, size, path, now),
            )
            artifact_id = connection.execute(
                "SELECT id FROM artifacts WHERE component_id = ? AND direction = ? AND name = ?",
                (component_id, direction, name),
            ).fetchone()[0]
            self._component_event(
                connection,
                component_id,
                component_name,
                "artifact.logged",
                now,
                {"direction": direction, "name": name, "id": artifact_id},
            )
            record = ArtifactRecord(
                artifact_id,
                component_name,
                direction,
                name,
                value,  # type: ignore[arg-type]
                media_type,
                sha256,
                size,
                path,
                now,
            )
            return record, old[0] if old else None

        record, replaced_path = self._write(body)
        if replaced_path and replaced_path != path:
            self._remove_unreferenced_files([replaced_path])
        return record

    def get_artifact(self, artifact_id: int) -> ArtifactRecord:
        def body(connection: sqlite3.Connection) -> ArtifactRecord:
            row = connection.execute(
                "SELECT a.id, c.name, a.direction, a.name, a.value, a.media_type, a.sha256, a.size,"
                " a.path, a.creation_time FROM artifacts a"
                " JOIN components c ON c.id = a.component_id"
                " WHERE a.id = ?",
                (artifact_id,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"No artifact with id {artifact_id!r} in the store.")
            return ArtifactRecord(*row)

        return self._read(body)

    # -- metrics ---------------------------------------------------------------------------
    def append_metric_points(self, batches: Mapping[SeriesKey, Sequence[MetricPoint]]) -> int:
        batches = {key: points for key, points in batches.items() if points}
        if not batches:
            return 0
        return self._write(lambda connection: _write_points(self, connection, batches))

    def record_heartbeat(self, component_names: Sequence[str], when: float) -> None:
        names = list(component_names)
        if not names:
            return

        def body(connection: sqlite3.Connection) -> None:
            for chunk in _chunks(names):
                connection.execute(
                    f"UPDATE components SET heartbeat_time = ? WHERE name IN ({_marks(len(chunk))})"
                    " AND status = 'InProgress'",
                    (when, *chunk),
                )

        self._write(body)

    def metric_summaries(
        self, component_names: Sequence[str]
    ) -> dict[str, dict[str, MetricSummary]]:
        def body(connection: sqlite3.Connection) -> dict[str, dict[str, MetricSummary]]:
            result: dict[str, dict[str, MetricSummary]] = {name: {} for name in component_names}
            for chunk in _chunks(list(component_names)):
                ids = dict(
                    connection.execute(
                        f"SELECT id, name FROM components WHERE name IN ({_marks(len(chunk))})",
                        tuple(chunk),
                    )
                )
                if ids:
                    for component_id, summary in self._summaries(connection, list(ids)):
                        result[ids[component_id]][summary.metric] = summary
            return result

        return self._read(body)

    def metric_points(self, component_name: str, metric: str) -> SeriesPoints:
        def body(connection: sqlite3.Connection) -> SeriesPoints:
            component_id = self._id(connection, "components", component_name)
            row = connection.execute(
                "SELECT id, count FROM metric_series WHERE component_id = ? AND name = ?",
                (component_id, metric),
            ).fetchone()
            series = SeriesPoints(
                "component", component_name, metric, component_name, 0, False, [], [], []
            )
            if row is None:
                return series
            series.total_count = row[1]
            for step, wall_time, value in connection.execute(
                "SELECT step, time, value FROM metric_points WHERE series_id = ? ORDER BY seq",
                (row[0],),
            ):
                series.steps.append(step)
                series.times.append(wall_time)
                series.values.append(_nan(value))
            return series

        return self._read(body)

    def metric_series(
        self,
        requests: Sequence[tuple[OwnerKind, str, str]],
        *,
        max_points: int = 1000,
        x: Literal["step", "time"] = "step",
        x_min: float | None = None,
        x_max: float | None = None,
    ) -> list[SeriesPoints]:
        max_points = max(int(max_points), 10)
        window = ("time" if x == "time" else "step", x_min, x_max)

        def body(connection: sqlite3.Connection) -> list[SeriesPoints]:
            result = []
            for owner_kind, owner_name, metric in requests:
                resolved = self._resolve_series(connection, owner_kind, owner_name, metric)
                if resolved is None:
                    continue
                series_id, count, component_name, _component_metric = resolved
                series = SeriesPoints(
                    owner_kind, owner_name, metric, component_name, count, False, [], [], []
                )
                _read_series(connection, series, series_id, count, max_points, window)
                result.append(series)
            return result

        return self._read(body)

    def _resolve_series(
        self, connection: sqlite3.Connection, owner_kind: str, owner_name: str, metric: str
    ) -> tuple[int, int, str, str] | None:
        if owner_kind == "component":
            row = connection.execute(
                "SELECT s.id, s.count FROM metric_series s"
                " JOIN components c ON c.id = s.component_id"
                " WHERE c.name = ? AND s.name = ?",
                (owner_name, metric),
            ).fetchone()
            return None if row is None else (row[0], row[1], owner_name, metric)
        if owner_kind != "trial":
            return None
        rows = connection.execute(
            "SELECT c.id, c.name, c.display_name, c.start_time, c.creation_time,"
            " (SELECT count(*) FROM trial_components x WHERE x.component_id = c.id)"
            " FROM trial_components tc JOIN trials t ON t.id = tc.trial_id"
            " JOIN components c ON c.id = tc.component_id WHERE t.name = ?",
            (owner_name,),
        ).fetchall()
        own = [row for row in rows if row[5] == 1]
        if not own:
            return None
        metrics: dict[int, list[str]] = {row[0]: [] for row in own}
        for component_id, name in connection.execute(
            f"SELECT component_id, name FROM metric_series"
            f" WHERE component_id IN ({_marks(len(own))})",
            tuple(metrics),
        ):
            metrics[component_id].append(name)
        keys = trial_metric_keys(
            [(row[1], row[2], row[3] or row[4], metrics[row[0]]) for row in own]
        )
        if metric not in keys:
            return None
        component_name, component_metric = keys[metric]
        row = connection.execute(
            "SELECT s.id, s.count FROM metric_series s JOIN components c ON c.id = s.component_id"
            " WHERE c.name = ? AND s.name = ?",
            (component_name, component_metric),
        ).fetchone()
        return None if row is None else (row[0], row[1], component_name, component_metric)

    # -- reads for the server --------------------------------------------------------------
    def list_experiment_summaries(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        def body(connection: sqlite3.Connection) -> list[dict[str, Any]]:
            wanted = "" if names is None else f" WHERE name IN ({', '.join('?' * len(names))})"
            experiments = connection.execute(
                f"SELECT id, {self._EXPERIMENT_COLUMNS} FROM experiments{wanted} ORDER BY id",
                tuple(names or ()),
            ).fetchall()
            ids = [row[0] for row in experiments]
            of_those = (
                "" if names is None else f" WHERE experiment_id IN ({', '.join('?' * len(ids))})"
            )
            trials_by_experiment: dict[int, list[tuple[int, float]]] = {}
            for trial_id, experiment_id, activity in connection.execute(
                f"SELECT id, experiment_id, last_activity FROM trials{of_those}",
                tuple(ids if names is not None else ()),
            ):
                trials_by_experiment.setdefault(experiment_id, []).append((trial_id, activity))
            statuses = self._trial_statuses(
                connection, [t for trials in trials_by_experiment.values() for t, _ in trials]
            )
            summaries = []
            for row in experiments:
                record = self._experiment_record(row[1:]).to_dict()
                trials = trials_by_experiment.get(row[0], [])
                counts = dict.fromkeys(ALL_STATUSES, 0)
                for trial_id, _ in trials:
                    status = statuses.get(trial_id)
                    if status is not None:
                        counts[status] += 1
                record.pop("last_modified_time")
                record["trial_count"] = len(trials)
                record["status_counts"] = counts
                record["status"] = experiment_status(
                    (statuses.get(trial_id), activity) for trial_id, activity in trials
                )
                summaries.append(record)
            return summaries

        return self._read(body)

    def trial_rows(self, experiment_name: str) -> list[dict[str, Any]]:
        return self._read(lambda connection: _trial_rows(self, connection, experiment_name))

    def trial_table(self, experiment_name: str, query: TrialQuery) -> TrialTable:
        from trialbook.store.sqlite_table import trial_table

        return self._read(lambda connection: trial_table(self, connection, experiment_name, query))

    def trial_detail(self, name: str) -> dict[str, Any]:
        def body(connection: sqlite3.Connection) -> dict[str, Any]:
            detail = self._trial_by_name(connection, name).to_dict()
            trial_id = self._id(connection, "trials", name)
            components = self._component_records(
                connection,
                "WHERE id IN (SELECT component_id FROM trial_components WHERE trial_id = ?)",
                (trial_id,),
            )
            detail["components"] = [component.to_dict() for component in components]
            return detail

        return self._read(body)

    def component_detail(self, name: str) -> dict[str, Any]:
        def body(connection: sqlite3.Connection) -> dict[str, Any]:
            component = self._component_by_name(connection, name)
            detail = component.to_dict()
            detail["trials"] = [
                {"name": trial_name, "experiment_name": experiment}
                for trial_name, experiment in connection.execute(
                    "SELECT t.name, e.name FROM trial_components tc"
                    " JOIN trials t ON t.id = tc.trial_id"
                    " JOIN experiments e ON e.id = t.experiment_id JOIN components c"
                    " ON c.id = tc.component_id WHERE c.name = ? ORDER BY t.id",
                    (name,),
                )
            ]
            return detail

        return self._read(body)

    # -- change feed -----------------------------------------------------------------------
    def changes_since(self, cursor: int, limit: int = 1000) -> list[Change]:
        def body(connection: sqlite3.Connection) -> list[Change]:
            rows = connection.execute(
                "SELECT seq, time, kind, entity_type, entity_name, experiment_name, payload"
                " FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                (int(cursor), int(limit)),
            )
            return [Change(*row[:6], payload=json.loads(row[6])) for row in rows]

        return self._read(body)

    def latest_change_cursor(self) -> int:
        return self._read(
            lambda connection: connection.execute(
                "SELECT coalesce(max(seq), 0) FROM changes"
            ).fetchone()[0]
        )

    def oldest_change_cursor(self) -> int:
        return self._read(
            lambda connection: connection.execute(
                "SELECT coalesce(min(seq), 0) FROM changes"
            ).fetchone()[0]
        )


# -- pure helpers (module level so they read top to bottom) ----------------------------------


def _duplicate_variables(experiment_name: str, existing: TrialRecord) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"Experiment {experiment_name!r} already has trial {existing.name!r} for the variable set "
        f"{existing.variables}; a variable set identifies a trial. Load it with "
        f"Trial.load({existing.name!r}), or, to run a replicate, add a variable such as 'seed'.",
        existing,
    )


def _parameter_row(value: ParameterValue) -> tuple[str, Any]:
    if isinstance(value, bool):
        return "bool", int(value)
    if isinstance(value, int):
        return "int", value
    if isinstance(value, float):
        return "float", None if math.isnan(value) else value
    return "str", value


def _parameter_value(kind: str, value: Any) -> ParameterValue:
    if kind == "bool":
        return bool(value)
    if kind == "float":
        return _nan(value)
    return value  # type: ignore[no-any-return]


def _summary(row: Sequence[Any]) -> MetricSummary:
    (
        name,
        count,
        finite,
        pos_inf,
        neg_inf,
        mean,
        m2,
        minimum,
        maximum,
        last_step,
        last_time,
        last_value,
        first_time,
    ) = row
    valid = finite + pos_inf + neg_inf
    if valid == 0:
        average = stddev = None
    elif pos_inf and neg_inf:
        average, stddev = math.nan, math.nan
    elif pos_inf or neg_inf:
        average, stddev = (math.inf if pos_inf else -math.inf), math.nan
    else:
        average, stddev = mean, math.sqrt(max(m2, 0.0) / finite)
    return MetricSummary(
        metric=name,
        count=count,
        min=minimum,
        max=maximum,
        avg=average,
        stddev=stddev,
        last=None if last_step is None else _nan(last_value),
        last_step=last_step,
        last_time=last_time,
        first_time=first_time,
    )


_SERIES_UPDATE = (
    "UPDATE metric_series SET count = ?, finite_count = ?, pos_inf_count = ?, neg_inf_count = ?,"
    " mean = ?, m2 = ?, min_value = ?, max_value = ?, last_step = ?, last_time = ?, last_value = ?,"
    " first_time = ?, ordered = ? WHERE id = ?"
)

_BUCKET_UPSERT = (
    "INSERT INTO metric_buckets VALUES (" + ", ".join(["?"] * 23) + ")"
    " ON CONFLICT (series_id, level, bucket) DO UPDATE SET count = count + excluded.count,"
    " last_seq = excluded.last_seq, last_step = excluded.last_step,"
    " last_time = excluded.last_time, last_value = excluded.last_value,"
    " nan_seq = coalesce(nan_seq, excluded.nan_seq), nan_step = CASE WHEN nan_seq IS NULL"
    " THEN excluded.nan_step ELSE nan_step END, nan_time = CASE WHEN nan_seq IS NULL"
    " THEN excluded.nan_time ELSE nan_time END,"
    + ",".join(
        f" {stat}_{column} = CASE WHEN excluded.{stat}_value IS NOT NULL AND ({stat}_value IS NULL"
        f" OR excluded.{stat}_value {op} {stat}_value) THEN excluded.{stat}_{column}"
        f" ELSE {stat}_{column} END"
        for stat, op in (("min", "<"), ("max", ">"))
        for column in ("seq", "step", "time", "value")
    )
)


# Points go in as multi-row INSERTs: one statement binds many rows, so the GIL is released
# for a whole chunk (not per row as executemany does) and Python's per-row cost disappears.
_POINT_COLUMNS = 5
_MAX_ROWS_PER_INSERT = 1024
_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_BUCKET_COLUMNS = 23


@functools.cache
def _insert_sql(table: str, columns: int, rows: int) -> str:
    row = "(" + ",".join("?" * columns) + ")"
    return f"INSERT INTO {table} VALUES " + ",".join([row] * rows)


def _insert_rows(connection: sqlite3.Connection, table: str, columns: int, flat: list[Any]) -> None:
    """Insert rows given as one flat list, in chunks of power-of-two sizes (so at most
    log2(chunk) distinct statements, all kept in the connection's statement cache)."""
    rows_left = len(flat) // columns
    start = 0
    size = _MAX_ROWS_PER_INSERT
    while size * columns > _MAX_VARIABLES:
        size //= 2
    while rows_left:
        while size > rows_left:
            size //= 2
        end = start + size * columns
        connection.execute(_insert_sql(table, columns, size), flat[start:end])
        start = end
        rows_left -= size


def _write_points(
    store: SqliteStore,
    connection: sqlite3.Connection,
    batches: Mapping[SeriesKey, Sequence[MetricPoint]],
) -> int:
    """Append each series' points, update series summaries and buckets, log one change per
    component — all in the caller's transaction."""
    now = time.time()
    component_names = sorted({component for component, _ in batches})
    component_ids: dict[str, int] = {}
    for chunk in _chunks(component_names):
        component_ids.update(
            (name, cid)
            for cid, name in connection.execute(
                f"SELECT id, name FROM components WHERE name IN ({_marks(len(chunk))})",
                tuple(chunk),
            )
        )
    known = [key for key in batches if key[0] in component_ids]  # others were deleted
    flat: list[Any] = [None] * (_POINT_COLUMNS * sum(len(batches[key]) for key in known))
    offset = 0
    series_updates: list[tuple[Any, ...]] = []
    bucket_rows: list[tuple[Any, ...]] = []  # buckets a previous batch began: upserts
    new_buckets: list[Any] = []  # flat rows of buckets this batch begins: plain inserts
    added: dict[int, dict[str, int]] = {}
    for key in known:
        component_name, metric = key
        points = batches[key]
        component_id = component_ids[component_name]
        row = connection.execute(
            "SELECT id, count, finite_count, pos_inf_count, neg_inf_count, mean, m2, min_value,"
            " max_value, last_step, last_time, last_value, first_time, ordered FROM metric_series"
            " WHERE component_id = ? AND name = ?",
            (component_id, metric),
        ).fetchone()
        if row is None:
            series_id = connection.execute(
                "INSERT INTO metric_series (component_id, name) VALUES (?, ?)",
                (component_id, metric),
            ).lastrowid
            row = (series_id, 0, 0, 0, 0, 0.0, 0.0, None, None, None, None, None, None, 1)
        size = len(points)
        offset = _append_series(row, points, flat, offset, series_updates, bucket_rows, new_buckets)
        per_metric = added.setdefault(component_id, {})
        per_metric[metric] = per_metric.get(metric, 0) + size
    _insert_rows(connection, "metric_points", _POINT_COLUMNS, flat)
    connection.executemany(_SERIES_UPDATE, series_updates)
    connection.executemany(_BUCKET_UPSERT, bucket_rows)
    _insert_rows(connection, "metric_buckets", _BUCKET_COLUMNS, new_buckets)
    if added:
        by_id = {cid: name for name, cid in component_ids.items()}
        memberships = store._experiments_of_components(connection, list(added))
        for component_id, metrics in added.items():
            trials, experiments = memberships[component_id]
            store._change(
                connection,
                now,
                "metrics.appended",
                "component",
                by_id[component_id],
                experiments[0] if experiments else None,
                {"metrics": metrics, "trials": trials, "experiments": experiments},
            )
        store._touch_components(connection, list(added), now)
    return offset // _POINT_COLUMNS


def _append_series(
    row: Sequence[Any],
    points: Sequence[MetricPoint],
    flat: list[Any],
    offset: int,
    series_updates: list[tuple[Any, ...]],
    bucket_rows: list[tuple[Any, ...]],
    new_buckets: list[Any],
) -> int:
    """Lay one series' points into ``flat`` (from ``offset``) as insert rows and queue its
    summary update and bucket upserts; returns the next offset. Only C-level passes over
    the points (itemgetter maps, slice assignment, sum/min/max/fsum)."""
    (
        series_id,
        count,
        finite,
        pos_inf,
        neg_inf,
        mean,
        m2,
        minimum,
        maximum,
        last_step,
        last_time,
        last_value,
        first_time,
        ordered,
    ) = row
    size = len(points)
    steps = list(map(_point_step, points))
    times = list(map(_point_time, points))
    values = list(map(_point_value, points))
    total = sum(values)
    all_finite = total - total == 0.0  # false when any value is NaN or ±inf (or the sum overflowed)
    stored = values if all_finite else [v if v == v else None for v in values]
    end = offset + _POINT_COLUMNS * size
    flat[offset:end:_POINT_COLUMNS] = itertools.repeat(series_id, size)
    flat[offset + 1 : end : _POINT_COLUMNS] = range(count, count + size)
    flat[offset + 2 : end : _POINT_COLUMNS] = steps
    flat[offset + 3 : end : _POINT_COLUMNS] = times
    flat[offset + 4 : end : _POINT_COLUMNS] = stored
    # Summary: Chan's parallel merge of (count, mean, M2) over finite values.
    finite_values = values if all_finite else [v for v in values if v - v == 0.0]
    if finite_values:
        batch_count = len(finite_values)
        batch_mean = math.fsum(finite_values) / batch_count
        deviations = list(map(operator.sub, finite_values, itertools.repeat(batch_mean)))
        batch_m2 = math.fsum(map(operator.mul, deviations, deviations))
        merged = finite + batch_count
        delta = batch_mean - mean
        mean = mean + delta * batch_count / merged
        m2 = m2 + batch_m2 + delta * delta * finite * batch_count / merged
        finite = merged
    if not all_finite:
        pos_inf += values.count(math.inf)
        neg_inf += values.count(-math.inf)
    present = values if all_finite else [v for v in values if v == v]
    if present:
        batch_min, batch_max = min(present), max(present)
        minimum = batch_min if minimum is None else min(minimum, batch_min)
        maximum = batch_max if maximum is None else max(maximum, batch_max)
    # Ordered series (the usual case) map an x window to one seq range (see _read_series).
    ordered = int(
        bool(ordered)
        and (last_step is None or (steps[0] >= last_step and times[0] >= last_time))
        and all(map(operator.le, steps, itertools.islice(steps, 1, None)))
        and all(map(operator.le, times, itertools.islice(times, 1, None)))
    )
    top_step = max(steps)
    if steps[-1] == top_step and steps.count(top_step) == 1:
        index = size - 1  # the usual case: steps grow
    else:
        index = max((i for i in range(size) if steps[i] == top_step), key=lambda i: (times[i], i))
    if last_step is None or (steps[index], times[index]) >= (last_step, last_time):
        last_step, last_time, last_value = steps[index], times[index], stored[index]
    first_time = times[0] if first_time is None else first_time
    series_updates.append(
        (
            count + size,
            finite,
            pos_inf,
            neg_inf,
            mean,
            m2,
            minimum,
            maximum,
            last_step,
            last_time,
            last_value,
            first_time,
            ordered,
            series_id,
        )
    )
    _buckets(series_id, count, steps, times, stored, bucket_rows, new_buckets)
    return end


def _buckets(
    series_id: int,
    first_seq: int,
    steps: list[int],
    times: list[float],
    values: list[float | None],
    continued: list[tuple[Any, ...]],
    new_buckets: list[Any],
) -> None:
    """Min/max/first/last aggregates of a batch for every bucket level (level 0 from points,
    each next level from the previous level's aggregates): the bucket a previous batch began
    (at most one a level) into ``continued`` for an upsert, the others flat into
    ``new_buckets`` for plain multi-row inserts."""
    width = schema.BUCKET_BASE_WIDTH
    size = len(values)
    level_rows: list[list[Any]] = []
    start = 0
    while start < size:
        seq = first_seq + start
        end = min(size, start + width - seq % width)
        chunk = values[start:end]
        has_nan = None in chunk
        present = [v for v in chunk if v is not None] if has_nan else chunk
        aggregate: list[Any] = [
            seq // width,
            end - start,
            seq,
            steps[start],
            times[start],
            values[start],
            first_seq + end - 1,
            steps[end - 1],
            times[end - 1],
            values[end - 1],
        ]
        if present:
            low, high = min(present), max(present)
            i, j = start + chunk.index(low), start + chunk.index(high)
            aggregate += [
                first_seq + i,
                steps[i],
                times[i],
                low,
                first_seq + j,
                steps[j],
                times[j],
                high,
            ]
        else:
            aggregate += [None] * 8
        if has_nan:
            k = start + chunk.index(None)
            aggregate += [first_seq + k, steps[k], times[k]]
        else:
            aggregate += [None] * 3
        level_rows.append(aggregate)
        start = end
    for level in range(schema.BUCKET_LEVELS):
        fresh = level_rows
        if level_rows[0][2] != level_rows[0][0] * schema.bucket_width(level):
            continued.append((series_id, level, *level_rows[0]))
            fresh = level_rows[1:]
        for aggregate in fresh:
            new_buckets.append(series_id)
            new_buckets.append(level)
            new_buckets.extend(aggregate)
        if level + 1 == schema.BUCKET_LEVELS:
            break
        merged: dict[int, list[Any]] = {}
        for aggregate in level_rows:
            parent = aggregate[0] // schema.BUCKET_FACTOR
            current = merged.get(parent)
            if current is None:
                merged[parent] = [parent, *aggregate[1:]]
                continue
            current[1] += aggregate[1]
            current[6:10] = aggregate[6:10]
            if aggregate[13] is not None and (current[13] is None or aggregate[13] < current[13]):
                current[10:14] = aggregate[10:14]
            if aggregate[17] is not None and (current[17] is None or aggregate[17] > current[17]):
                current[14:18] = aggregate[14:18]
            if current[18] is None and aggregate[18] is not None:
                current[18:21] = aggregate[18:21]
        level_rows = list(merged.values())


def _read_series(
    connection: sqlite3.Connection,
    series: SeriesPoints,
    series_id: int,
    count: int,
    max_points: int,
    window: tuple[str, float | None, float | None],
) -> None:
    """Fill ``series`` with the points of its x window: raw when they fit in ``max_points``;
    up to ``_RAW_DECIMATION_LIMIT`` × ``max_points`` decimated from raw points; beyond, the
    extremes of groups of stored min/max buckets, merged in SQL, so the cost follows the
    points sent, not the length of the series or of the window."""
    column, x_min, x_max = window
    ordered, nan_count = connection.execute(
        "SELECT ordered, count - finite_count - pos_inf_count - neg_inf_count"
        " FROM metric_series WHERE id = ?",
        (series_id,),
    ).fetchone()
    if x_min is None and x_max is None:
        first, last = 0, count - 1
    elif ordered:
        # Steps and times never decrease with seq: the window is one seq range.
        first = (
            0 if x_min is None else _first_seq(connection, series_id, count, column, ">=", x_min)
        )
        last = count - 1
        if x_max is not None:
            last = _first_seq(connection, series_id, count, column, ">", x_max) - 1
    else:
        rows = connection.execute(
            f"SELECT seq, step, time, value FROM metric_points WHERE series_id = ?"
            f" AND {column} BETWEEN ? AND ? ORDER BY seq",
            (
                series_id,
                -math.inf if x_min is None else x_min,
                math.inf if x_max is None else x_max,
            ),
        ).fetchall()
        _fill_series(series, rows, max_points)
        return
    series.window_count = max(0, last - first + 1)
    if series.window_count <= _RAW_DECIMATION_LIMIT * max_points:
        rows = connection.execute(
            "SELECT seq, step, time, value FROM metric_points"
            " WHERE series_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
            (series_id, first, last),
        ).fetchall()
        _fill_series(series, rows, max_points)
        return
    rows = _bucket_extremes(connection, series_id, count, first, last, max_points, nan_count > 0)
    series.downsampled = True
    _fill_series(series, rows, max_points)
    series.window_count = last - first + 1


def _fill_series(series: SeriesPoints, rows: list[Any], max_points: int) -> None:
    """Rows of (seq, step, time, value) in seq order into ``series``, decimated if too many."""
    series.window_count = len(rows)
    if len(rows) > max_points:
        rows = _decimate(rows, max_points)
        series.downsampled = True
    series.steps = [row[1] for row in rows]
    series.times = [row[2] for row in rows]
    values = [row[3] for row in rows]
    series.values = values if None not in values else [_nan(value) for value in values]


def _first_seq(
    connection: sqlite3.Connection, series_id: int, count: int, column: str, op: str, bound: float
) -> int:
    """The first seq whose ``column`` is ``op bound`` in an ordered series (``count`` when
    none): a descent through the bucket levels, whose last x is their largest, reading
    ``BUCKET_FACTOR`` buckets a level and one level-0 bucket of points."""
    top = schema.BUCKET_LEVELS - 1
    low, high = 0, (count - 1) // schema.bucket_width(top)
    for level in range(top, -1, -1):
        (bucket,) = connection.execute(
            f"SELECT min(bucket) FROM metric_buckets WHERE series_id = ? AND level = ?"
            f" AND bucket BETWEEN ? AND ? AND last_{column} {op} ?",
            (series_id, level, low, high, bound),
        ).fetchone()
        if bucket is None:
            return count
        low, high = bucket * schema.BUCKET_FACTOR, bucket * schema.BUCKET_FACTOR + 3
    width = schema.BUCKET_BASE_WIDTH
    (seq,) = connection.execute(
        f"SELECT min(seq) FROM metric_points WHERE series_id = ? AND seq BETWEEN ? AND ?"
        f" AND {column} {op} ?",
        (series_id, bucket * width, bucket * width + width - 1, bound),
    ).fetchone()
    return count if seq is None else seq


def _decimate(rows: list[Any], max_points: int) -> list[Any]:
    """The first and last rows plus each of ``groups`` equal runs' min, max and first NaN
    (value None): two points a run, three where a run holds a NaN."""
    values = [row[3] for row in rows]
    size = len(rows)
    for groups in ((max_points - 2) // 2, (max_points - 2) // 3):
        keep = {0, size - 1}
        for group in range(groups):
            start, end = group * size // groups, (group + 1) * size // groups
            chunk = values[start:end]
            if None in chunk:
                keep.add(start + chunk.index(None))
                chunk = [value if value is not None else math.nan for value in chunk]
                present = [value for value in chunk if value == value]
            else:
                present = chunk
            if present:
                keep.add(start + chunk.index(min(present)))
                keep.add(start + chunk.index(max(present)))
        if len(keep) <= max_points:
            break
    return [rows[index] for index in sorted(keep)]


def _bucket_extremes(
    connection: sqlite3.Connection,
    series_id: int,
    count: int,
    first: int,
    last: int,
    max_points: int,
    has_nan: bool,
) -> list[Any]:
    """Rows (seq order) for seqs ``first..last``: the window's first and last points and the
    min, max and first NaN of up to ``groups`` groups of the buckets inside the window (the
    coarsest level with at least ``groups`` of them, so fewer than 4 × ``groups`` bucket rows
    are read), plus the extremes of the two partial edges read from raw points."""
    for groups in ((max_points - 8) // 2, (max_points - 11) // 3):
        groups = max(groups, 1)
        level, low, high = _bucket_level(count, first, last, groups)
        width = schema.bucket_width(level)
        kept: dict[int, Any] = {}
        if low <= high:
            parameters = {
                "series": series_id,
                "level": level,
                "low": low,
                "high": high,
                "groups": groups,
                "buckets": high - low + 1,
            }
            kept.update(
                (row[0], row) for row in connection.execute(_series_sql(has_nan), parameters)
            )
            edges = [(first, low * width - 1), ((high + 1) * width, last)]
        else:
            edges = [(first, last)]
        for start, end in edges:
            if start <= end:
                kept.update(
                    (row[0], row) for row in _range_extremes(connection, series_id, start, end)
                )
        kept.update(
            (row[0], row)
            for row in connection.execute(
                "SELECT seq, step, time, value FROM metric_points"
                " WHERE series_id = ? AND seq IN (?, ?)",
                (series_id, first, last),
            )
        )
        if len(kept) <= max_points:
            break
    return [kept[seq] for seq in sorted(kept)]


def _bucket_level(count: int, first: int, last: int, groups: int) -> tuple[int, int, int]:
    """The coarsest level with at least ``groups`` buckets inside seqs ``first..last`` (level 0
    if none has), with the first and last of those buckets (the series' last bucket counts
    as inside though not full)."""
    for level in range(schema.BUCKET_LEVELS - 1, -1, -1):
        width = schema.bucket_width(level)
        low = -(-first // width)
        high = (count - 1) // width if last == count - 1 else (last + 1) // width - 1
        if high - low + 1 >= groups:
            break
    return level, low, high


def _series_sql(has_nan: bool) -> str:
    """Each group's min and max (and first NaN) over buckets ``low..high`` of one level, as
    (seq, step, time, value) rows; buckets are spread over ``groups`` groups evenly, so the
    count of points follows ``max_points`` whatever the number of buckets."""
    source = (
        "FROM metric_buckets WHERE series_id = :series AND level = :level"
        " AND bucket BETWEEN :low AND :high"
    )
    group = "GROUP BY (bucket - :low) * :groups / :buckets"
    parts = [
        f"SELECT {stat}_seq, {stat}_step, {stat}_time, {stat}({stat}_value) {source}"
        f" AND {stat}_value IS NOT NULL {group}"
        for stat in ("min", "max")
    ]
    if has_nan:
        parts.append(
            f"SELECT min(nan_seq), nan_step, nan_time, NULL {source}"
            f" AND nan_seq IS NOT NULL {group}"
        )
    return " UNION ALL ".join(parts)


def _range_extremes(
    connection: sqlite3.Connection, series_id: int, start: int, end: int
) -> list[Any]:
    """Min, max and first NaN of the raw points ``start..end`` (a window's partial edge)."""
    source = "FROM metric_points WHERE series_id = ? AND seq BETWEEN ? AND ?"
    rows = connection.execute(
        f"SELECT seq, step, time, min(value) {source} AND value IS NOT NULL"
        f" UNION ALL SELECT seq, step, time, max(value) {source} AND value IS NOT NULL"
        f" UNION ALL SELECT min(seq), step, time, NULL {source} AND value IS NULL",
        (series_id, start, end) * 3,
    ).fetchall()
    return [row for row in rows if row[0] is not None]


_ROW_PROVENANCE_DROP = ("packages", "cell_source")


def _trial_rows(
    store: SqliteStore, connection: sqlite3.Connection, experiment_name: str
) -> list[dict[str, Any]]:
    experiment = store._experiment_by_name(connection, experiment_name)
    experiment_id = store._id(connection, "experiments", experiment_name)
    trials = store._trial_records(connection, "WHERE t.experiment_id = ?", (experiment_id,))
    trial_ids = {
        row[0]: row[1]
        for row in connection.execute(
            "SELECT id, name FROM trials WHERE experiment_id = ?", (experiment_id,)
        )
    }
    now, stale = time.time(), settings.stale_seconds()
    members: dict[str, list[dict[str, Any]]] = {name: [] for name in trial_ids.values()}
    components: dict[int, dict[str, Any]] = {}
    for row in connection.execute(
        "SELECT tc.trial_id, c.id, c.name, c.display_name, c.kind, c.status, c.heartbeat_time,"
        " c.start_time, c.end_time, c.creation_time, c.provenance,"
        " (SELECT count(*) FROM trial_components x WHERE x.component_id = c.id)"
        " FROM trial_components tc JOIN trials t ON t.id = tc.trial_id"
        " JOIN components c ON c.id = tc.component_id WHERE t.experiment_id = ?"
        " ORDER BY c.id",
        (experiment_id,),
    ):
        component = components.setdefault(
            row[1],
            {
                "id": row[1],
                "name": row[2],
                "display_name": row[3],
                "kind": row[4],
                "status": component_status(row[5], row[6], now=now, stale_after=stale),
                "start_time": row[7],
                "end_time": row[8],
                "creation_time": row[9],
                "provenance": row[10],
                "shared": row[11] > 1,
                "parameters": {},
                "metrics": {},
            },
        )
        members[trial_ids[row[0]]].append(component)
    ids = list(components)
    for chunk in _chunks(ids):
        marks = _marks(len(chunk))
        for component_id, name, kind, value in connection.execute(
            f"SELECT component_id, name, type, value FROM parameters"
            f" WHERE component_id IN ({marks}) ORDER BY rowid",
            tuple(chunk),
        ):
            components[component_id]["parameters"][name] = _parameter_value(kind, value)
        for component_id, summary in store._summaries(connection, chunk):
            components[component_id]["metrics"][summary.metric] = summary
    rows = []
    for trial in trials:
        own = [c for c in members[trial.name] if not c["shared"]]
        ordered = sorted(members[trial.name], key=lambda c: c["start_time"] or c["creation_time"])
        keys = trial_metric_keys(
            [
                (
                    c["name"],
                    c["display_name"],
                    c["start_time"] or c["creation_time"],
                    list(c["metrics"]),
                )
                for c in own
            ]
        )
        by_name = {c["name"]: c for c in own}
        metrics = {
            key: by_name[cname]["metrics"][metric].to_dict()
            for key, (cname, metric) in keys.items()
        }
        row = trial.to_dict()
        row.pop("identity")
        row["components"] = [c["name"] for c in ordered]
        row["start_time"] = min((c["start_time"] for c in ordered if c["start_time"]), default=None)
        row["end_time"] = max((c["end_time"] for c in ordered if c["end_time"]), default=None)
        row["parameters"] = _merged_parameters(ordered)
        row["metrics"] = metrics
        row["objective_value"] = objective_value(
            experiment.objective,
            [(c["start_time"] or c["creation_time"], c["metrics"]) for c in own],
        )
        latest = next((c for c in reversed(ordered) if c["provenance"]), None)
        provenance = _loads(latest["provenance"]) if latest else None
        if provenance:
            for key in _ROW_PROVENANCE_DROP:
                provenance.pop(key, None)
        row["provenance"] = provenance
        rows.append(row)
    return rows


def _merged_parameters(components: Sequence[dict[str, Any]]) -> dict[str, ParameterValue]:
    """Parameters of a trial's components; a name with different values in several components
    becomes ``<display_name>/<name>``."""
    seen: dict[str, list[tuple[str, ParameterValue]]] = {}
    for component in components:
        label = component["display_name"] or component["name"]
        for name, value in component["parameters"].items():
            seen.setdefault(name, []).append((label, value))
    merged: dict[str, ParameterValue] = {}
    for name, values in seen.items():
        distinct = {(type(value), value if value == value else "nan") for _, value in values}
        if len(distinct) == 1:
            merged[name] = values[0][1]
        else:
            for label, value in values:
                merged[f"{label}/{name}"] = value
    return merged
