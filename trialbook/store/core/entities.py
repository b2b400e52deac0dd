"""The rules of the store's entities as it enforces them: unique names (with messages that
say what to do), what may be updated, and when a deletion is refused."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from trialbook.errors import AlreadyExistsError, NotFoundError, ValidationError
from trialbook.store.core.encoding import dumps_or_none
from trialbook.store.core.records import TrialRecord
from trialbook.store.core.transaction import Transaction

EXPERIMENT_FIELDS = frozenset(
    {"description", "hypothesis", "objective", "variables", "tags", "notes"}
)
TRIAL_FIELDS = frozenset({"tags", "notes"})
COMPONENT_FIELDS = frozenset(
    {"display_name", "kind", "status", "status_message", "start_time", "end_time", "tags", "notes"}
)
_JSON_FIELDS = frozenset({"objective", "variables", "tags"})

#: table → (what it holds, how to list them)
_ENTITIES = {
    "experiments": (
        "experiment",
        "Create it with trialbook.Experiment.create(name, hypothesis=...) or list them "
        "with trialbook.Experiment.list().",
    ),
    "trials": ("trial", "List them with trialbook.Trial.list(experiment_name=...)."),
    "components": ("trial component", "List them with trialbook.TrialComponent.list()."),
}


def not_found(tx: Transaction, table: str, name: str) -> NotFoundError:
    """NotFoundError naming up to three close matches among the latest names."""
    what, hint = _ENTITIES[table]
    names = [row[0] for row in tx.execute(f"SELECT name FROM {table} ORDER BY id DESC LIMIT 2000")]
    close = difflib.get_close_matches(name, names, n=3)
    suggestion = f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""
    return NotFoundError(f"No {what} named {name!r} in the store.{suggestion} {hint}")


def entity_id(tx: Transaction, table: str, name: str) -> int:
    """The id of the experiment, trial or component named ``name``; NotFoundError if none."""
    row = tx.execute(f"SELECT id FROM {table} WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise not_found(tx, table, name)
    return int(row[0])


def checked_fields(fields: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """``fields`` as column values (documents as JSON); ValidationError for others."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"cannot update {sorted(unknown)}; updatable: {sorted(allowed)}")
    return {
        key: dumps_or_none(value) if key in _JSON_FIELDS else value for key, value in fields.items()
    }


def experiment_exists(name: str, existing: Any) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"An experiment named {name!r} already exists. Load it with "
        f"Experiment.load({name!r}) or pass exist_ok=True to Experiment.create.",
        existing,
    )


def trial_exists(name: str, existing: TrialRecord) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"A trial named {name!r} already exists (in experiment "
        f"{existing.experiment_name!r}); trial names are unique in a store. "
        f"Load it with Trial.load({name!r}) or choose another name.",
        existing,
    )


def duplicate_variables(experiment_name: str, existing: TrialRecord) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"Experiment {experiment_name!r} already has trial {existing.name!r} for the variable set "
        f"{existing.variables}; a variable set identifies a trial. Load it with "
        f"Trial.load({existing.name!r}), or, to run a replicate, add a variable such as 'seed'.",
        existing,
    )


def component_exists(name: str, existing: Any) -> AlreadyExistsError:
    return AlreadyExistsError(
        f"A trial component named {name!r} already exists. Load it with "
        f"TrialComponent.load({name!r}) (or Tracker.load) or choose another name.",
        existing,
    )


def refuse_experiment_delete(name: str, trials: int) -> ValidationError:
    return ValidationError(
        f"Experiment {name!r} still has {trials} trial(s); delete them first "
        "or call exp.delete_all(action='--force') to delete the experiment with its "
        "trials and the components used only by them."
    )


def refuse_trial_delete(name: str, components: int) -> ValidationError:
    return ValidationError(
        f"Trial {name!r} still has {components} trial component(s); remove them with "
        "trial.remove_trial_component(...) "
        "or call trial.delete(force=True) (components "
        "used only by this trial are deleted, shared ones disassociated)."
    )


def refuse_component_delete(name: str, trials: list[str]) -> ValidationError:
    return ValidationError(
        f"Trial component {name!r} is in trial(s) {trials}; remove it from them first "
        "or call tc.delete(force_disassociate=True)."
    )
