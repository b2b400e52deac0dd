"""The column names of an experiment's trial table (variables, parameters, metric keys), read
from the catalogue kept at write time (``column_catalogue.py``)."""

from __future__ import annotations

from trialbook.store.core import column_catalogue
from trialbook.store.core.column_catalogue import METRIC, PARAMETER, VARIABLE
from trialbook.store.core.records import ExperimentRecord
from trialbook.store.core.transaction import Transaction


def experiment_columns(
    tx: Transaction, experiment: ExperimentRecord, experiment_id: int
) -> tuple[list[str], list[str], list[str]]:
    """(variables, parameter names, metric names) of an experiment's trials, first seen
    first; the declared variables when the experiment declares them."""
    found = column_catalogue.columns(tx, experiment_id)
    variables = list(experiment.variables) if experiment.variables else found[VARIABLE]
    return variables, found[PARAMETER], found[METRIC]
