"""Each experiment's table columns, kept at write time (``experiment_columns``): the variable
keys of its trials, the parameter names of its trials' components and the metric names of
their own (unshared) components, each with how many rows give it (``uses``) and the order
key of the first (``first_key``: the trial id, the parameter's order, the series id).

Reading an experiment's columns is then one indexed query instead of a scan of every
parameter of every trial (~1.2 s at 100,000 trials × 20 parameters). Every write that can
add or remove a column moves the catalogue in the same transaction: a new trial
(``trial_added``), new parameters (``first_parameters``, ``parameters_added``), new series
(``series_added``), and for anything else (links, unlinks, deletions, replaced parameters)
the contributions of the touched components and trials before and after (``snapshot`` +
``apply``). A column leaves when no row gives it any more, so the columns are exactly those
of the scan (``scan_sql``; tests/test_column_catalogue.py). A column keeps its place while
it stays: when the row that gave its first key leaves (the first trial is deleted), the key
is not moved on to the next row, which would take a scan of the experiment (~5 s for a
parameter name at 100,000 trials); a fresh scan would list it where that next row is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trialbook.store.core.backend import Dialect
from trialbook.store.core.transaction import CHUNK, Transaction, chunks, marks

VARIABLE, PARAMETER, METRIC = "variable", "parameter", "metric"

#: Over trial_components ``tc`` of trial ``t``: the component is in no other trial (shared
#: components carry no metrics for a trial).
OWN_COMPONENT = (
    "NOT EXISTS (SELECT 1 FROM trial_components x"
    " WHERE x.component_id = tc.component_id AND x.trial_id <> t.id)"
)

_UPSERT = (
    "INSERT INTO experiment_columns (experiment_id, kind, name, first_key, uses) {rows}"
    " ON CONFLICT (experiment_id, kind, name) DO UPDATE SET"
    " uses = experiment_columns.uses + excluded.uses,"
    " first_key = CASE WHEN excluded.first_key < experiment_columns.first_key"
    " THEN excluded.first_key ELSE experiment_columns.first_key END"
)

#: (experiment id, kind, name) → (rows giving the column, their least order key).
Counts = dict[tuple[int, str, str], tuple[int, int]]


def _sources(dialect: Dialect) -> dict[str, tuple[str, str, str]]:
    """kind → (FROM … WHERE over trials ``t``, the column's name, its order key)."""
    keys, key = dialect.json_keys("t.variables")
    is_object = dialect.json_is_object("t.variables")
    return {
        VARIABLE: (f"FROM trials t, {keys} WHERE {is_object}", key, "t.id"),
        PARAMETER: (
            "FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            " JOIN parameters p ON p.component_id = tc.component_id WHERE 1 = 1",
            "p.name",
            f"p.{dialect.parameter_order}",
        ),
        METRIC: (
            "FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            f" JOIN metric_series s ON s.component_id = tc.component_id WHERE {OWN_COMPONENT}",
            "s.name",
            "s.id",
        ),
    }


def scan_sql(dialect: Dialect) -> tuple[str, ...]:
    """SELECTs (no parameters) of the catalogue's rows (experiment_id, kind, name,
    first_key, uses) computed from the data, one a kind: what the catalogue must equal."""
    return tuple(
        f"SELECT t.experiment_id, '{kind}', {name}, min({order}), count(*) {source}"
        f" GROUP BY t.experiment_id, {name}"
        for kind, (source, name, order) in _sources(dialect).items()
    )


def rebuild_sql(dialect: Dialect) -> tuple[str, ...]:
    """Statements (no parameters) that recompute the whole catalogue from the rows (the
    migrations' backfill)."""
    insert = "INSERT INTO experiment_columns (experiment_id, kind, name, first_key, uses) "
    return ("DELETE FROM experiment_columns", *(insert + scan for scan in scan_sql(dialect)))


def columns(tx: Transaction, experiment_id: int) -> dict[str, list[str]]:
    """kind → the experiment's column names of that kind, first seen first."""
    found: dict[str, list[str]] = {VARIABLE: [], PARAMETER: [], METRIC: []}
    for kind, name in tx.execute(
        "SELECT kind, name FROM experiment_columns WHERE experiment_id = ?"
        " ORDER BY kind, first_key, name",
        (experiment_id,),
    ):
        found[kind].append(name)
    return found


def uses_in_name_order(tx: Transaction, experiment_id: int, kind: str) -> list[tuple[str, int]]:
    """The experiment's column names of ``kind`` with their uses, in the database's order
    of names (that of an index over a name column)."""
    return [
        (name, uses)
        for name, uses in tx.execute(
            "SELECT name, uses FROM experiment_columns WHERE experiment_id = ? AND kind = ?"
            " ORDER BY name",
            (experiment_id, kind),
        )
    ]


# -- the writes of a run: only additions --------------------------------------------------
def trial_added(tx: Transaction, experiment_id: int, trial_id: int, variables: Any) -> None:
    """A new trial gives its variables' keys."""
    if isinstance(variables, Mapping) and variables:
        _upsert(tx, [(experiment_id, VARIABLE, str(key), trial_id, 1) for key in variables])


def parameters_added(tx: Transaction, component_id: int, names: Iterable[str]) -> None:
    """Parameters just logged on a component that it did not have: they give a column to
    each trial the component is in."""
    wanted = sorted(set(names))
    for chunk in chunks(wanted):
        tx.execute(
            _UPSERT.format(
                rows="SELECT t.experiment_id, 'parameter', p.name,"
                f" min(p.{tx.dialect.parameter_order}), count(*) FROM trial_components tc"
                " JOIN trials t ON t.id = tc.trial_id JOIN parameters p"
                " ON p.component_id = tc.component_id WHERE tc.component_id = ?"
                f" AND p.name IN ({marks(len(chunk))}) GROUP BY t.experiment_id, p.name"
            ),
            (component_id, *chunk),
        )


def first_parameters(tx: Transaction, experiment_id: int, component_id: int) -> None:
    """The parameters of a new component in one trial (a run's attempt): each gives a column
    to the trial's experiment."""
    tx.execute(
        _UPSERT.format(
            rows=f"SELECT ?, 'parameter', p.name, p.{tx.dialect.parameter_order}, 1"
            " FROM parameters p WHERE p.component_id = ?"
        ),
        (experiment_id, component_id),
    )


def run_added(
    tx: Transaction,
    experiment_id: int,
    trial_id: int | None,
    variables: Any,
    component_id: int | None,
) -> None:
    """A run's additions in one statement: a new trial's variables (``trial_id`` given, as
    ``trial_added``) and its attempt's parameters (``component_id`` given, as
    ``first_parameters``)."""
    rows: list[Any] = []
    if trial_id is not None and isinstance(variables, Mapping) and variables:
        rows = [(experiment_id, VARIABLE, str(key), trial_id, 1) for key in variables]
    if component_id is None or len(rows) > CHUNK:
        if rows:
            _upsert(tx, rows)
        if component_id is not None:
            first_parameters(tx, experiment_id, component_id)
        return
    given = f"VALUES {', '.join(['(?, ?, ?, ?, ?)'] * len(rows))} UNION ALL " if rows else ""
    tx.execute(
        _UPSERT.format(
            rows=f"{given}SELECT ?, 'parameter', p.name, p.{tx.dialect.parameter_order}, 1"
            " FROM parameters p WHERE p.component_id = ?"
        ),
        [*(value for row in rows for value in row), experiment_id, component_id],
    )


def series_added(tx: Transaction, series: Sequence[tuple[int, int, str]]) -> None:
    """New series (id, component id, name): each gives its metric to the trial of its
    component when the component is that trial's own."""
    tx.executemany(
        _UPSERT.format(
            rows="SELECT t.experiment_id, 'metric', ?, ?, 1 FROM trial_components tc"
            f" JOIN trials t ON t.id = tc.trial_id WHERE tc.component_id = ? AND {OWN_COMPONENT}"
        ),
        [(name, series_id, component_id) for series_id, component_id, name in series],
    )


def _upsert(tx: Transaction, rows: Sequence[tuple[int, str, str, int, int]]) -> None:
    for chunk in chunks(list(rows)):
        values = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
        tx.execute(
            _UPSERT.format(rows=f"VALUES {values}"), [value for row in chunk for value in row]
        )


# -- any other write: what the touched components and trials give, before and after --------
@dataclass
class Snapshot:
    """What some components (their parameters, and metrics while they are their trial's
    own) and some trials (their variables) give the catalogue at one moment."""

    component_ids: list[int]
    trial_ids: list[int] = field(default_factory=list)
    kinds: tuple[str, ...] = (VARIABLE, PARAMETER, METRIC)
    counts: Counts = field(default_factory=dict)

    def take(self, tx: Transaction) -> Snapshot:
        """The same components and trials, read now."""
        taken = Snapshot(self.component_ids, self.trial_ids, self.kinds)
        sources = _sources(tx.dialect)
        for kind in self.kinds:
            source, name, order = sources[kind]
            column = "t.id" if kind == VARIABLE else "tc.component_id"
            ids = self.trial_ids if kind == VARIABLE else self.component_ids
            for chunk in chunks(ids):
                for experiment_id, key, uses, first in tx.execute(
                    f"SELECT t.experiment_id, {name}, count(*), min({order}) {source}"
                    f" AND {column} IN ({marks(len(chunk))}) GROUP BY t.experiment_id, {name}",
                    tuple(chunk),
                ):
                    _merge(taken.counts, (experiment_id, kind, key), uses, first)
        return taken


def snapshot(
    tx: Transaction,
    component_ids: Iterable[int],
    trial_ids: Iterable[int] = (),
    kinds: tuple[str, ...] = (VARIABLE, PARAMETER, METRIC),
) -> Snapshot:
    """What these components and trials give now; pass it to ``apply`` after the write."""
    return Snapshot(sorted(set(component_ids)), sorted(set(trial_ids)), kinds).take(tx)


def apply(tx: Transaction, before: Snapshot) -> None:
    """Move the catalogue by what ``before``'s components and trials give now minus what they
    gave then (call it once the write is done)."""
    after = before.take(tx)
    additions: list[tuple[int, str, str, int, int]] = []
    removals: list[tuple[int, int, str, str]] = []
    for key in before.counts.keys() | after.counts.keys():
        old_uses, old_first = before.counts.get(key, (0, 0))
        new_uses, new_first = after.counts.get(key, (0, 0))
        if new_uses and (new_uses != old_uses or new_first < old_first):
            additions.append((*key, new_first, new_uses - old_uses))
        elif old_uses and not new_uses:
            removals.append((-old_uses, *key))
    _upsert(tx, additions)
    if removals:
        tx.executemany(
            "UPDATE experiment_columns SET uses = uses + ?"
            " WHERE experiment_id = ? AND kind = ? AND name = ?",
            removals,
        )
        tx.executemany(
            "DELETE FROM experiment_columns WHERE experiment_id = ? AND kind = ? AND name = ?"
            " AND uses <= 0",
            [row[1:] for row in removals],
        )


def _merge(counts: Counts, key: tuple[int, str, str], uses: int, first: int) -> None:
    if key in counts:
        old_uses, old_first = counts[key]
        counts[key] = (old_uses + uses, min(old_first, first))
    else:
        counts[key] = (uses, first)
