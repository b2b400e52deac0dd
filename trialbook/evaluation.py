"""``exp.evaluate()``: the verdict on an experiment's claim, from its completed trials.

Reads the store through ``trial_rows``; the numbers come from ``trialbook.statistics``
(numpy and scipy, imported when this module is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trialbook import statistics
from trialbook.objective import Claim, ClaimError, claim_of, same_value, trial_value
from trialbook.status import TrialStatus
from trialbook.store import flush_all, open_store
from trialbook.variables import Choice, Variable, identity
from trialbook.wire import json_safe

if TYPE_CHECKING:
    import pandas

#: Why trials of the compared values were left out, as `excluded` counts them.
EXCLUDED_KEYS = ("Failed", "Stopped", "Interrupted", "InProgress", "NoMetric")


@dataclass
class Group:
    """The completed trials of one value of the tested variable."""

    value: Any
    trials: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)  # the other variables, for pairing

    def to_dict(self, alpha: float) -> dict[str, Any]:
        import numpy as np

        n = len(self.values)
        return {
            "value": self.value,
            "n": n,
            "mean": float(np.mean(self.values)) if n else None,
            "std": float(np.std(self.values, ddof=1)) if n > 1 else None,
            "ci": statistics.mean_interval(self.values, alpha),
            "values": list(self.values),
            "trials": list(self.trials),
        }


@dataclass
class Evaluation:
    """The verdict on a claim, with the evidence; renders inline in JupyterLab."""

    experiment_name: str
    claims: list[Claim]
    text: str | None
    verdict: str | None
    message: str | None
    comparisons: list[dict[str, Any]]
    group_rows: list[dict[str, Any]]
    excluded: dict[str, int]
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def _decisive(self) -> dict[str, Any]:
        """The comparison whose numbers stand for the whole: the weakest one."""
        if not self.comparisons:
            return {}
        with_ci = [c for c in self.comparisons if c["ci"] is not None]
        if len(with_ci) < len(self.comparisons) or not with_ci:
            return next(c for c in self.comparisons if c["ci"] is None)
        return min(with_ci, key=lambda c: c["ci"][0])

    effect = property(lambda self: self._decisive.get("effect"))
    ci = property(lambda self: self._decisive.get("ci"))
    p_value = property(lambda self: self._decisive.get("p_value"))
    effect_size = property(lambda self: self._decisive.get("effect_size"))
    prob_improvement = property(lambda self: self._decisive.get("prob_improvement"))
    n_treatment = property(lambda self: self._decisive.get("n_treatment", 0))
    n_control = property(lambda self: self._decisive.get("n_control", 0))
    paired = property(lambda self: bool(self._decisive.get("paired", False)))
    trials_needed = property(lambda self: self._decisive.get("trials_needed"))
    alpha = property(lambda self: self.claim.alpha if self.claim else None)
    min_effect = property(lambda self: self.claim.min_effect if self.claim else None)

    @property
    def claim(self) -> Claim | None:
        """The claim evaluated (the first one, when several were)."""
        return self.claims[0] if self.claims else None

    @property
    def correction(self) -> str | None:
        return "holm" if len(self.comparisons) > 1 else None

    @property
    def groups(self) -> pandas.DataFrame:
        """One row per value of the tested variable: n, mean, std, CI and the trials."""
        import pandas

        columns = ["metric", "value", "n", "mean", "std", "ci", "values", "trials"]
        return pandas.DataFrame(self.group_rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """The REST `evaluation` body (non-finite floats are left to the JSON encoder)."""
        decisive = self._decisive
        return {
            "claim": None if self.claim is None else self.claim.to_dict(),
            "claims": [claim.to_dict() for claim in self.claims],
            "text": self.text,
            "verdict": self.verdict,
            "message": self.message,
            "effect": decisive.get("effect"),
            "ci": _pair(decisive.get("ci")),
            "p_value": decisive.get("p_value"),
            "effect_size": decisive.get("effect_size"),
            "prob_improvement": decisive.get("prob_improvement"),
            "n_treatment": decisive.get("n_treatment", 0),
            "n_control": decisive.get("n_control", 0),
            "paired": bool(decisive.get("paired", False)),
            "trials_needed": decisive.get("trials_needed"),
            "alpha": self.alpha,
            "min_effect": self.min_effect,
            "correction": self.correction,
            "comparisons": [{**c, "ci": _pair(c["ci"])} for c in self.comparisons],
            "groups": [{**g, "ci": _pair(g["ci"])} for g in self.group_rows],
            "excluded": dict(self.excluded),
        }

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from trialbook.kernel.evaluation_view import evaluation_bundle

        return evaluation_bundle(self)

    def __repr__(self) -> str:
        if self.claim is None:
            return f"Evaluation({self.experiment_name!r}: no claim stated)"
        parts = [f"{self.verdict}: {self.text}"]
        if self.effect is not None and self.ci is not None:
            parts.append(f"effect {self.effect:.4g}, CI [{self.ci[0]:.4g}, {self.ci[1]:.4g}]")
        if self.message:
            parts.append(self.message)
        return f"Evaluation({'; '.join(parts)})"


def evaluate(
    experiment_name: str,
    objective: Mapping[str, Any] | None,
    space: Mapping[str, Variable] | None,
    overrides: Mapping[str, Any] | None = None,
    claims: Sequence[Mapping[str, Any]] | None = None,
) -> Evaluation:
    """The verdict on the experiment's claim with ``overrides`` applied; with ``claims``
    (each a dict of overrides on top of those), on all of them as one Holm-corrected family."""
    overrides = dict(overrides or {})
    stated = [claim_of(objective, space, {**overrides, **extra}) for extra in claims or [{}]]
    given = [claim for claim in stated if claim is not None]
    shown = json_safe({**overrides, **({"claims": list(claims)} if claims else {})})
    if not given:
        return Evaluation(experiment_name, [], None, None, None, [], [], {}, shown)
    if len({claim.alpha for claim in given}) > 1:
        raise ClaimError("alpha", "several claims are one family: give them the same alpha")
    flush_all()
    rows = open_store().trial_rows(experiment_name)
    contrasts: list[statistics.Contrast] = []
    labels: list[tuple[Claim, Any, str]] = []
    group_rows: list[dict[str, Any]] = []
    excluded: dict[str, set[str]] = {key: set() for key in EXCLUDED_KEYS}
    texts = []
    for claim in given:
        controls = _controls(claim, space, rows)
        groups = _groups(claim, [claim.treatment, *controls], rows, excluded)
        texts.append(claim.text(controls))
        group_rows.extend({"metric": claim.metric, **g.to_dict(claim.alpha)} for g in groups)
        for group in groups[1:]:
            paired = _pairable(groups[0], group)
            t_values, c_values = (
                _aligned(groups[0], group) if paired else (groups[0].values, group.values)
            )
            contrasts.append(
                statistics.Contrast(t_values, c_values, paired, claim.maximize, claim.min_effect)
            )
            labels.append((claim, group.value, texts[-1]))
    results = statistics.compare_many(contrasts, given[0].alpha)
    comparisons = [
        {
            "treatment": claim.treatment,
            "control": control,
            "metric": claim.metric,
            "text": text,
            **_comparison_dict(result),
        }
        for (claim, control, text), result in zip(labels, results, strict=True)
    ]
    verdict, message = _overall(comparisons, len(given))
    return Evaluation(
        experiment_name=experiment_name,
        claims=given,
        text="; ".join(texts),
        verdict=verdict,
        message=message,
        comparisons=comparisons,
        group_rows=group_rows,
        excluded={key: len(names) for key, names in excluded.items()},
        overrides=shown,
    )


# -- gathering the groups ---------------------------------------------------------------------
def _controls(claim: Claim, space: Mapping[str, Variable] | None, rows: list[dict]) -> list[Any]:
    if claim.control is not None:
        return list(claim.control)
    declared = (space or {}).get(claim.variable)
    if isinstance(declared, Choice):
        candidates = list(declared.values)
    else:  # a Range or an undeclared variable: the values trials used
        candidates = [
            (row["variables"] or {})[claim.variable]
            for row in rows
            if claim.variable in (row["variables"] or {})
        ]
    controls: list[Any] = []
    for value in candidates:
        if not same_value(value, claim.treatment) and not any(
            same_value(value, seen) for seen in controls
        ):
            controls.append(value)
    return controls


def _groups(
    claim: Claim, values: Sequence[Any], rows: list[dict], excluded: dict[str, set[str]]
) -> list[Group]:
    """The completed trials of each compared value; the others' names go to ``excluded``."""
    groups = [Group(value) for value in values]
    for row in rows:
        variables = row["variables"] or {}
        if claim.variable not in variables:
            continue
        group = next((g for g in groups if same_value(g.value, variables[claim.variable])), None)
        if group is None:
            continue
        status = str(getattr(row["status"], "value", row["status"]))
        if status != TrialStatus.COMPLETED.value:
            excluded[status if status in excluded else "InProgress"].add(row["name"])
            continue
        value = trial_value(row["metrics"], claim)
        if value is None:
            excluded["NoMetric"].add(row["name"])
            continue
        others = {name: v for name, v in variables.items() if name != claim.variable}
        group.trials.append(row["name"])
        group.values.append(value)
        group.keys.append(identity(others))
    return groups


def _pairable(treatment: Group, control: Group) -> bool:
    """Trials pair when every other variable (seed included) matches one to one."""
    keys_t, keys_c = treatment.keys, control.keys
    return (
        len(keys_t) > 0
        and None not in keys_t
        and len(set(keys_t)) == len(keys_t)
        and len(set(keys_c)) == len(keys_c)
        and set(keys_t) == set(keys_c)
    )


def _aligned(treatment: Group, control: Group) -> tuple[list[float], list[float]]:
    by_key = dict(zip(control.keys, control.values, strict=True))
    return treatment.values, [by_key[key] for key in treatment.keys]


def _comparison_dict(result: statistics.Comparison) -> dict[str, Any]:
    return {
        "verdict": result.verdict,
        "message": result.message,
        "effect": result.effect,
        "ci": result.ci,
        "p_value": result.p_value,
        "effect_size": result.effect_size,
        "prob_improvement": result.prob_improvement,
        "n_treatment": result.n_treatment,
        "n_control": result.n_control,
        "paired": result.paired,
        "trials_needed": result.trials_needed,
    }


def _overall(comparisons: list[dict[str, Any]], claims: int) -> tuple[str, str | None]:
    if not comparisons:
        return statistics.INCONCLUSIVE, "no control value to compare the treatment with"
    verdicts = [c["verdict"] for c in comparisons]
    if len(comparisons) == 1:
        return verdicts[0], comparisons[0]["message"]
    family = f"{len(comparisons)} comparisons" + (f" of {claims} claims" if claims > 1 else "")
    holm = f"Holm-corrected over {family}"
    if all(v == statistics.SUPPORTED for v in verdicts):
        return statistics.SUPPORTED, f"supported in every comparison ({holm})"
    undecided = [
        f"{c['metric']} vs {c['control']}: {c['message']}"
        if claims > 1
        else f"{c['control']}: {c['message']}"
        for c in comparisons
        if c["verdict"] != statistics.SUPPORTED
    ]
    verdict = (
        statistics.NOT_SUPPORTED
        if statistics.NOT_SUPPORTED in verdicts
        else statistics.INCONCLUSIVE
    )
    return verdict, f"{holm}; " + "; ".join(undecided)


def _pair(value: Any) -> list[float] | None:
    return None if value is None else [float(value[0]), float(value[1])]
