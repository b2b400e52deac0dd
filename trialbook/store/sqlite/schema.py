"""The SQLite schema and its versioned migrations (``PRAGMA user_version``).

Migration N turns a store at version N-1 into version N. Add a new migration at the end;
never edit a released one. A library older than the store refuses to open it.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from trialbook.errors import StoreVersionError
from trialbook.store.core import column_catalogue
from trialbook.store.core.backend import Dialect
from trialbook.store.core.sole_components import SOLE_COMPONENT
from trialbook.store.sqlite import faults

# NaN cannot be stored in a SQLite REAL (it becomes NULL), so a NULL metric value means NaN.
# ±inf are stored as such.
_V1 = """
CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    hypothesis TEXT,
    objective TEXT,              -- JSON
    variables TEXT,              -- JSON variable space
    tags TEXT NOT NULL DEFAULT '{}',
    notes TEXT,
    creation_time REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    last_activity REAL NOT NULL
);

CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id),
    variables TEXT,              -- JSON as given
    identity TEXT,               -- canonical JSON of the variable set, NULL when none
    tags TEXT NOT NULL DEFAULT '{}',
    notes TEXT,
    creation_time REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    last_activity REAL NOT NULL
);
CREATE UNIQUE INDEX trials_identity ON trials(experiment_id, identity);
CREATE INDEX trials_experiment ON trials(experiment_id, id);

CREATE TABLE components (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    kind TEXT,
    status TEXT,                 -- stored status; Interrupted is derived on read
    status_message TEXT,
    start_time REAL,
    end_time REAL,
    creation_time REAL NOT NULL,
    last_modified_time REAL NOT NULL,
    last_activity REAL NOT NULL,
    heartbeat_time REAL,
    tags TEXT NOT NULL DEFAULT '{}',
    notes TEXT,
    provenance TEXT              -- JSON
);

CREATE TABLE trial_components (
    trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    added_time REAL NOT NULL,
    PRIMARY KEY (trial_id, component_id)
) WITHOUT ROWID;
CREATE INDEX trial_components_component ON trial_components(component_id, trial_id);

CREATE TABLE parameters (
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,          -- bool | int | float | str
    value,                       -- no affinity: ints stay ints, NULL float means NaN
    PRIMARY KEY (component_id, name)
);                               -- rowid keeps the order parameters were first logged in

CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    direction TEXT NOT NULL,     -- input | output
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    media_type TEXT,
    sha256 TEXT,
    size INTEGER,
    path TEXT,                   -- relative to the artifact root when copied there
    creation_time REAL NOT NULL,
    UNIQUE (component_id, direction, name)
);
CREATE INDEX artifacts_path ON artifacts(path);

CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,          -- every point, NaN included
    finite_count INTEGER NOT NULL DEFAULT 0,
    pos_inf_count INTEGER NOT NULL DEFAULT 0,
    neg_inf_count INTEGER NOT NULL DEFAULT 0,
    mean REAL NOT NULL DEFAULT 0,              -- of finite values (Welford / Chan)
    m2 REAL NOT NULL DEFAULT 0,
    min_value REAL,                            -- NaN skipped, ±inf included
    max_value REAL,
    last_step INTEGER,
    last_time REAL,
    last_value REAL,
    first_time REAL,
    ordered INTEGER NOT NULL DEFAULT 1,        -- steps and times never decrease with seq
    UNIQUE (component_id, name)
);

CREATE TABLE metric_points (
    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    step INTEGER NOT NULL,
    time REAL NOT NULL,
    value REAL,                                -- NULL means NaN
    PRIMARY KEY (series_id, seq)
) WITHOUT ROWID;

-- Level L groups 16 * 4**L consecutive points (by seq); min/max keep their points, nan the
-- bucket's first NaN point (min/max skip NaN, so a lone NaN would otherwise be lost).
CREATE TABLE metric_buckets (
    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
    level INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    first_seq INTEGER NOT NULL, first_step INTEGER NOT NULL,
    first_time REAL NOT NULL, first_value REAL,
    last_seq INTEGER NOT NULL, last_step INTEGER NOT NULL,
    last_time REAL NOT NULL, last_value REAL,
    min_seq INTEGER, min_step INTEGER, min_time REAL, min_value REAL,
    max_seq INTEGER, max_step INTEGER, max_time REAL, max_value REAL,
    nan_seq INTEGER, nan_step INTEGER, nan_time REAL,
    PRIMARY KEY (series_id, level, bucket)
) WITHOUT ROWID;

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_name TEXT NOT NULL,
    experiment_name TEXT,
    payload TEXT NOT NULL DEFAULT '{}'
);
"""

# A trial's running attempt (core/attempts.py): the primary key lets one attempt hold a trial.
_V2 = """
CREATE TABLE trial_runs (
    trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,
    component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE
);
CREATE INDEX trial_runs_component ON trial_runs(component_id);
"""

# A series keeps bucket level L only while it is longer than one bucket of it, 16 * 4**L
# points (core/buckets.py): drop the levels schema 1 kept for every series.
_V3 = """
DELETE FROM metric_buckets WHERE EXISTS (SELECT 1 FROM metric_series s
    WHERE s.id = metric_buckets.series_id AND s.count <= (16 << (2 * metric_buckets.level)));
"""


# Tallies kept at write time (core/tallies.py): each trial's stored status (its components'
# stored statuses, never Interrupted) and each experiment's trial counts per stored status.
# RECOUNT recomputes them from the trials and components (the migration's backfill).
_STORED_TRIAL_STATUS = (
    "(SELECT d.status FROM (SELECT sc.status AS status,"
    " coalesce(sc.start_time, sc.creation_time) AS started, sc.id AS id"
    " FROM trial_components stc JOIN components sc ON sc.id = stc.component_id"
    " WHERE stc.trial_id = trials.id AND sc.status IS NOT NULL) d"
    " ORDER BY CASE WHEN d.status = 'InProgress' THEN 0 ELSE 1 END,"
    " d.started DESC, d.id DESC LIMIT 1)"
)
_TALLY_SOURCE = "(SELECT count(*) FROM trials t WHERE t.experiment_id = experiments.id"
_TALLIES = ", ".join(
    f"{column} = {_TALLY_SOURCE} AND t.stored_status = '{status}')"
    for column, status in (
        ("trials_in_progress", "InProgress"),
        ("trials_completed", "Completed"),
        ("trials_failed", "Failed"),
        ("trials_stopped", "Stopped"),
    )
)
RECOUNT: tuple[str, ...] = (
    f"UPDATE trials SET stored_status = {_STORED_TRIAL_STATUS}",
    f"UPDATE experiments SET trial_count = {_TALLY_SOURCE}), {_TALLIES}",
)
_V4 = """
ALTER TABLE trials ADD COLUMN stored_status TEXT;
ALTER TABLE experiments ADD COLUMN trial_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN trials_in_progress INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN trials_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN trials_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE experiments ADD COLUMN trials_stopped INTEGER NOT NULL DEFAULT 0;
CREATE INDEX trials_running ON trials(experiment_id) WHERE stored_status = 'InProgress';
CREATE INDEX trials_activity ON trials(experiment_id, last_activity, id);
""" + ";\n".join(RECOUNT)

# The trial table's value lookups (core/trial_values.py, core/table_page.py): a trial whose
# only component is its own (in no other trial) keeps its id in ``sole_component``
# (core/sole_components.py), so its parameters and metric summaries are one covering index
# probe away (covering indexes) instead of a walk over its components.
RECOUNT += (f"UPDATE trials SET sole_component = {SOLE_COMPONENT}",)
_V5 = f"""
ALTER TABLE trials ADD COLUMN sole_component INTEGER;
UPDATE trials SET sole_component = {SOLE_COMPONENT};
CREATE INDEX trials_sole_component ON trials(sole_component);
CREATE INDEX parameters_lookup ON parameters(component_id, name, type, value);
CREATE INDEX metric_series_lookup ON metric_series(component_id, name, last_value, min_value,
    max_value, count);
"""

# Each experiment's table columns, kept at write time (core/column_catalogue.py): the trial
# table reads them instead of scanning every parameter of the experiment's trials.
_REBUILD_COLUMNS = column_catalogue.rebuild_sql(Dialect())
RECOUNT += _REBUILD_COLUMNS
_V6 = """
CREATE TABLE experiment_columns (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,          -- variable | parameter | metric
    name TEXT NOT NULL,
    first_key INTEGER NOT NULL,  -- order key of the first row giving it (trial, parameter, series)
    uses INTEGER NOT NULL,       -- rows giving it; the column leaves at 0
    PRIMARY KEY (experiment_id, kind, name)
) WITHOUT ROWID;
""" + ";\n".join(_REBUILD_COLUMNS)

# The change feed's seq a plain rowid key, without AUTOINCREMENT (which rewrote the
# ``sqlite_sequence`` page in every write transaction): a new row takes max(seq) + 1, and
# pruning (core/changes.py) only ever deletes the oldest rows, never the newest, so seqs
# still only ascend. (Were the newest rows deleted by hand, a reader whose cursor is then
# ahead of the feed is told to reset, as for a recreated store.)
_V7 = """
CREATE TABLE changes_v7 (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_name TEXT NOT NULL,
    experiment_name TEXT,
    payload TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO changes_v7 (seq, time, kind, entity_type, entity_name, experiment_name, payload)
    SELECT seq, time, kind, entity_type, entity_name, experiment_name, payload FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v7 RENAME TO changes
"""

#: Migration N (index N-1) brings a store from version N-1 to N.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7)
SCHEMA_VERSION = len(MIGRATIONS)


def check_version(version: int, where: str) -> None:
    """Refuse a store written by a newer Trialbook, naming the environment to upgrade."""
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"The Trialbook store {where} was written by a newer Trialbook (schema {version}; "
            f"this one understands up to {SCHEMA_VERSION}). Upgrade trialbook in {sys.prefix} "
            f"(e.g. `{sys.executable} -m pip install -U trialbook`)."
        )


def check_trialbook(connection: sqlite3.Connection, version: int, path: Path) -> None:
    """Refuse a SQLite database of another program: tables, but no Trialbook schema."""
    if version == 0:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        if tables:
            raise faults.foreign(path, tables)


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the store up to SCHEMA_VERSION inside one write transaction (race-safe)."""
    where = str(path)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    check_version(version, where)
    check_trialbook(connection, version, path)
    if version == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        check_version(version, where)
        check_trialbook(connection, version, path)
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[number - 1]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our statements)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
