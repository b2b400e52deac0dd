"""The column names of an experiment's trial table (variables, parameters, metric keys),
cached per experiment and brought up to date from the change feed."""

from __future__ import annotations

import json

from trialbook.store.core.records import ExperimentRecord
from trialbook.store.core.transaction import Transaction

#: Over trial_components ``tc`` of trial ``t``: the component is in no other trial (shared
#: components carry no metrics for a trial).
OWN_COMPONENT = (
    "NOT EXISTS (SELECT 1 FROM trial_components x"
    " WHERE x.component_id = tc.component_id AND x.trial_id != t.id)"
)

#: (store path, experiment id, creation time) → (change cursor, columns). Every write appends
#: to the change feed, so the columns are brought up to date from the changes since the cached
#: cursor (new parameter and metric names) instead of a scan of every parameter of the
#: experiment, which costs ~0.1 s at 10,000 trials.
_columns_cache: dict[
    tuple[str, int, float], tuple[int, tuple[list[str], list[str], list[str]]]
] = {}
_COLUMNS_CACHE_SIZE = 64
_MAX_CHANGES_TO_APPLY = 5000
#: Changes that cannot add a column (or only with names given in their payload).
_NO_NEW_COLUMNS = frozenset(
    {
        "component.status",
        "component.updated",
        "component.created",
        "artifact.logged",
        "trial.updated",
        "experiment.created",
    }
)


def experiment_columns(
    tx: Transaction, store_key: str, experiment: ExperimentRecord, experiment_id: int
) -> tuple[list[str], list[str], list[str]]:
    """(variables, parameter names, metric names) of an experiment's trials, first seen first;
    ``store_key`` tells stores apart in the process-wide cache."""
    cursor = tx.scalar("SELECT coalesce(max(seq), 0) FROM changes")
    key = (store_key, experiment_id, experiment.creation_time)
    cached = _columns_cache.get(key)
    columns = None
    if cached is not None and cached[0] <= cursor:
        columns = _apply_changes(tx, experiment, cached[0], cursor, cached[1])
    if columns is None:
        columns = _columns(tx, experiment, experiment_id)
    if len(_columns_cache) >= _COLUMNS_CACHE_SIZE:
        _columns_cache.clear()
    _columns_cache[key] = (cursor, columns)
    return tuple(list(names) for names in columns)  # type: ignore[return-value]


def _apply_changes(
    tx: Transaction,
    experiment: ExperimentRecord,
    since: int,
    until: int,
    columns: tuple[list[str], list[str], list[str]],
) -> tuple[list[str], list[str], list[str]] | None:
    """The columns after the changes in (since, until], or None when a rescan is needed."""
    if until == since:
        return columns
    if until - since > _MAX_CHANGES_TO_APPLY:
        return None
    variables, parameters, metrics = (list(names) for names in columns)
    for kind, experiment_name, payload in tx.execute(
        "SELECT kind, experiment_name, payload FROM changes WHERE seq > ? AND seq <= ?",
        (since, until),
    ):
        if kind in _NO_NEW_COLUMNS:
            continue
        if kind in ("parameters.logged", "metrics.appended"):
            data = json.loads(payload)
            if experiment.name not in data.get("experiments", ()):
                continue
            names = data.get("names") if kind == "parameters.logged" else data.get("metrics")
            target = parameters if kind == "parameters.logged" else metrics
            target.extend(name for name in names or () if name not in target)
            continue
        if experiment_name != experiment.name:
            if kind.startswith("trial.") or kind == "deleted":
                continue  # another experiment's trial
            return None
        if kind == "trial.created" and experiment.variables:
            continue  # declared variables: a trial adds none
        if kind == "experiment.updated" and "variables" not in json.loads(payload).get(
            "fields", ["variables"]
        ):
            continue
        return None  # anything else touching this experiment: rescan
    return variables, parameters, metrics


def _columns(
    tx: Transaction, experiment: ExperimentRecord, experiment_id: int
) -> tuple[list[str], list[str], list[str]]:
    if experiment.variables:
        variables = list(experiment.variables)
    else:
        keys, key = tx.dialect.json_keys("t.variables")
        variables = [
            row[0]
            for row in tx.execute(
                f"SELECT {key} FROM trials t, {keys} WHERE t.experiment_id = ?"
                f" AND {tx.dialect.json_is_object('t.variables')} GROUP BY {key}"
                " ORDER BY min(t.id)",
                (experiment_id,),
            )
        ]
    parameter_names = [
        row[0]
        for row in tx.execute(
            f"SELECT p.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            " JOIN parameters p ON p.component_id = tc.component_id WHERE t.experiment_id = ?"
            f" GROUP BY p.name ORDER BY min(p.{tx.dialect.parameter_order})",
            (experiment_id,),
        )
    ]
    metric_names = [
        row[0]
        for row in tx.execute(
            "SELECT s.name FROM trials t JOIN trial_components tc ON tc.trial_id = t.id"
            f" JOIN metric_series s ON s.component_id = tc.component_id WHERE t.experiment_id = ?"
            f" AND {OWN_COMPONENT} GROUP BY s.name ORDER BY min(s.id)",
            (experiment_id,),
        )
    ]
    return variables, parameter_names, metric_names
