"""The hypothesis verdict over REST: the evaluation, trials grouped over seeds, coverage."""

from __future__ import annotations

import json
from typing import Any

import tornado.web

from ...coverage import coverage
from ...errors import ValidationError
from ...grouping import SPREADS, trial_groups
from ...objective import ClaimError
from ...variables import Choice, Variable, space_from_json
from .. import payloads
from .base import BadParameter, TrialbookHandler

_TEXT_OVERRIDES = ("metric", "goal", "summary", "variable")
_NUMBER_OVERRIDES = ("min_effect", "alpha")


class EvaluationHandler(TrialbookHandler):
    """`GET experiments/{name}/evaluation[?variable=&treatment=&control=&…][&claims=[…]]`."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        record = await self.read(self.store.get_experiment, name)
        space = space_from_json(record.variables)
        overrides = self._overrides(record.objective or {}, space)
        claims = self._claims()
        try:
            evaluation = await self.read(
                _evaluate, name, record.objective, space, overrides, claims
            )
        except ClaimError as error:
            raise BadParameter("claims" if claims else error.key, str(error)) from None
        body: payloads.EvaluationResponse = evaluation.to_dict()  # type: ignore[assignment]
        self.write_json(body)

    def _claims(self) -> list[dict[str, Any]] | None:
        """`claims`: a JSON list of claims (objects of the objective's keys, with typed
        values), evaluated as one Holm-corrected family, as `exp.evaluate(claims=[…])`."""
        raw = self.query_one("claims")
        if raw is None:
            return None
        example = '[{"metric": "acc", "goal": "maximize"}, {"metric": "loss", "goal": "minimize"}]'
        try:
            claims = json.loads(raw)
        except ValueError as error:
            raise BadParameter(
                "claims", f"is not JSON ({error}); give a list like {example}"
            ) from None
        if not isinstance(claims, list) or not claims:
            raise BadParameter("claims", f"give a non-empty JSON list of objects, like {example}")
        for index, claim in enumerate(claims):
            if not isinstance(claim, dict):
                raise BadParameter(
                    "claims", f"item {index} is {json.dumps(claim)}, not an object, like {example}"
                )
        return claims

    def _overrides(self, objective: dict[str, Any], space: dict[str, Variable] | None) -> dict:
        overrides: dict[str, Any] = {}
        for key in _TEXT_OVERRIDES:
            value = self.query_one(key)
            if value is not None:
                overrides[key] = value
        for key in _NUMBER_OVERRIDES:
            raw = self.query_one(key)
            if raw is not None:
                try:
                    overrides[key] = float(raw)
                except ValueError:
                    raise BadParameter(key, f"{raw!r} is not a number") from None
        variable = (space or {}).get(overrides.get("variable") or objective.get("variable") or "")
        treatment = self.query_one("treatment")
        if treatment is not None:
            overrides["treatment"] = _variable_value(treatment, variable)
        controls = self.query_list("control")
        if controls:
            values = [_variable_value(raw, variable) for raw in controls]
            overrides["control"] = values[0] if len(values) == 1 else values
        return overrides


class TrialGroupsHandler(TrialbookHandler):
    """`GET experiments/{name}/trial-groups?except=seed&spread=ci|sd`."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        spread = self.query_choice("spread", SPREADS, "ci")
        if "except" in self.request.query_arguments:
            excepted = self.query_list("except")
        else:  # default: average over seeds, when there is a seed variable
            record = await self.read(self.store.get_experiment, name)
            excepted = ["seed"] if "seed" in (record.variables or {}) else []
        try:
            grouping = await self.read(trial_groups, name, excepted, spread)
        except ValidationError as error:
            raise BadParameter("except", str(error)) from None
        body: payloads.TrialGroupsResponse = {
            "by": grouping["by"],
            "spread": spread,
            "groups": grouping["groups"],
        }
        self.write_json(body)


class CoverageHandler(TrialbookHandler):
    """`GET experiments/{name}/coverage`: the declared grid and each set's trial status."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        record = await self.read(self.store.get_experiment, name)
        space = space_from_json(record.variables)
        try:
            grid = await self.read(coverage, name, space)
            message = None
        except ValidationError as error:  # a Range without num has no grid
            grid = {"variables": list(space or {}), "total": 0, "missing": 0, "sets": []}
            message = str(error)
        body: payloads.CoverageResponse = {**grid, "message": message}  # type: ignore[typeddict-item]
        self.write_json(body)


def _variable_value(raw: str, variable: Variable | None) -> Any:
    """A query string as the variable's value: a declared Choice value whose text it is
    (a string first, then the JSON form: "0.1", "true"); else its JSON value; else the text."""
    if isinstance(variable, Choice):
        for allowed in variable.values:
            if isinstance(allowed, str) and allowed == raw:
                return allowed
        for allowed in variable.values:
            if not isinstance(allowed, str) and json.dumps(allowed) == raw:
                return allowed
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, bool | int | float | str) or value is None else raw


def _evaluate(*arguments: Any) -> Any:
    """``evaluation.evaluate`` imported on first use, in the reading thread: numpy and scipy
    take seconds to load and must neither stall the event loop nor load for servers that
    never evaluate."""
    from ...evaluation import evaluate

    return evaluate(*arguments)
