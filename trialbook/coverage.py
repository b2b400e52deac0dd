"""Coverage of the declared variable space: which sets of its grid have a completed trial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialbook import variables as variable_space
from trialbook.status import TrialStatus
from trialbook.store import open_store
from trialbook.variables import Variable

MISSING = "missing"


def coverage(experiment_name: str, space: Mapping[str, Variable] | None) -> dict[str, Any]:
    """``{"variables", "total", "missing", "sets": [{"variables", "status", "trial"}]}`` over
    the grid of the declared space (a Range contributes its declared ``num`` steps); a set's
    status is its trial's, or "missing" when no trial has it. A Range without ``num`` has no
    grid: ValidationError saying so."""
    if not space:
        return {"variables": [], "total": 0, "missing": 0, "sets": []}
    grid = variable_space.grid(space)
    trials = {
        variable_space.identity(row["variables"]): row
        for row in open_store().trial_rows(experiment_name)
        if row["variables"]
    }
    sets = []
    for variables in grid:
        row = trials.get(variable_space.identity(variables))
        status = MISSING if row is None else str(getattr(row["status"], "value", row["status"]))
        trial = None if row is None else row["name"]
        sets.append({"variables": variables, "status": status, "trial": trial})
    missing = sum(1 for entry in sets if entry["status"] != TrialStatus.COMPLETED.value)
    return {"variables": list(space), "total": len(sets), "missing": missing, "sets": sets}


def missing_sets(experiment_name: str, space: Mapping[str, Variable] | None) -> list[dict]:
    """The variable sets of the declared grid with no completed trial, in grid order."""
    return [
        entry["variables"]
        for entry in coverage(experiment_name, space)["sets"]
        if entry["status"] != TrialStatus.COMPLETED.value
    ]
