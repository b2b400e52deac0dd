"""The statistics behind a verdict: paired or Welch t, Hedges' g, the probability of
improvement, Holm's correction and the trials needed for 80% power (docs/statistics.md).

numpy and scipy are imported here, at the top: import this module only when evaluating.
Values arrive finite (the caller drops the rest) and already grouped; effects are signed
so that a positive effect is an improvement whatever the goal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

try:
    import numpy as np
    from scipy import stats
except ImportError as missing:  # scipy is the `stats` extra (also in `lab` and `test`)
    raise ImportError(
        f"evaluating a claim needs scipy and numpy: pip install 'trialbook[stats]' ({missing})"
    ) from missing

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
INCONCLUSIVE = "inconclusive"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE)
MIN_PER_GROUP = 2
POWER = 0.8
MAX_TRIALS = 100_000


@dataclass(frozen=True)
class Comparison:
    """One treatment-vs-control comparison; numbers are None where they cannot be had."""

    verdict: str
    message: str | None
    effect: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    effect_size: float | None
    prob_improvement: float | None
    n_treatment: int
    n_control: int
    paired: bool
    trials_needed: int | None


@dataclass(frozen=True)
class _Test:
    """What a comparison's data say, before any confidence level is chosen."""

    estimate: float
    se: float
    df: float
    p_value: float
    effect_size: float | None
    prob_improvement: float
    n_treatment: int
    n_control: int
    paired: bool
    sd_treatment: float
    sd_control: float
    sd_difference: float | None


@dataclass(frozen=True)
class Contrast:
    """One comparison to make: ``paired`` pairs ``treatment[i]`` with ``control[i]``."""

    treatment: Sequence[float]
    control: Sequence[float]
    paired: bool = False
    maximize: bool = True
    min_effect: float = 0.0


def compare(
    treatment: Sequence[float],
    control: Sequence[float],
    *,
    maximize: bool = True,
    paired: bool = False,
    alpha: float = 0.05,
    min_effect: float = 0.0,
) -> Comparison:
    """One comparison: ``paired`` pairs ``treatment[i]`` with ``control[i]``."""
    return compare_many([Contrast(treatment, control, paired, maximize, min_effect)], alpha)[0]


def compare_many(contrasts: Sequence[Contrast], alpha: float = 0.05) -> list[Comparison]:
    """Several comparisons as one family (several controls, several claims): with more than
    one, Holm's step-down procedure sets each one's confidence level and adjusts its
    p-value."""
    tests = [
        _test(c.treatment, c.control, 1.0 if c.maximize else -1.0, c.paired) for c in contrasts
    ]
    family = len(tests)
    levels, adjusted = _holm([test.p_value if test else None for test in tests], alpha)
    results = []
    for index, (test, contrast) in enumerate(zip(tests, contrasts, strict=True)):
        if test is None:
            sign = 1.0 if contrast.maximize else -1.0
            results.append(_too_few(contrast.treatment, contrast.control, sign, contrast.paired))
        else:
            results.append(
                _decide(test, levels[index], adjusted[index], alpha, contrast.min_effect, family)
            )
    return results


def trials_needed(
    effect: float,
    *,
    sd_treatment: float,
    sd_control: float,
    sd_difference: float | None = None,
    paired: bool = False,
    alpha: float = 0.05,
    power: float = POWER,
) -> int | None:
    """Trials per group (pairs when paired) giving ``power`` to find ``effect`` > 0 with the
    two-sided (1−alpha) interval: the noncentral t power of the verdict's own test. None
    when ``effect`` is not an improvement; at most MAX_TRIALS."""
    if not effect > 0:
        return None
    spread = sd_difference**2 if paired and sd_difference is not None else None
    variance = spread if spread is not None else sd_treatment**2 + sd_control**2
    if variance <= 0:
        return MIN_PER_GROUP
    z = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    squared = effect * effect
    if squared == 0 or not z * z * variance / squared < MAX_TRIALS:  # or overflows to inf
        return MAX_TRIALS
    normal_approximation = z * z * variance / squared
    n = max(MIN_PER_GROUP, math.ceil(normal_approximation))
    while n < MAX_TRIALS and _power(n, effect, sd_treatment, sd_control, spread, alpha) < power:
        n += 1
    return n


# -- the tests ------------------------------------------------------------------------------
def _test(
    treatment: Sequence[float], control: Sequence[float], sign: float, paired: bool
) -> _Test | None:
    t = sign * np.asarray(treatment, dtype=float)
    c = sign * np.asarray(control, dtype=float)
    if len(t) < MIN_PER_GROUP or len(c) < MIN_PER_GROUP:
        return None
    var_t, var_c = float(t.var(ddof=1)), float(c.var(ddof=1))
    sd_difference = None
    if paired:
        differences = t - c
        estimate = float(differences.mean())
        sd_difference = float(differences.std(ddof=1))
        se = sd_difference / math.sqrt(len(differences))
        df = float(len(differences) - 1)
    else:
        estimate = float(t.mean() - c.mean())
        share_t, share_c = var_t / len(t), var_c / len(c)
        se = math.sqrt(share_t + share_c)
        spread = share_t**2 / (len(t) - 1) + share_c**2 / (len(c) - 1)
        df = (share_t + share_c) ** 2 / spread if spread > 0 else float(len(t) + len(c) - 2)
    if se > 0:
        p_value = float(2 * stats.t.sf(abs(estimate / se), df))
    else:  # every difference identical: no noise to test against
        p_value = 0.0 if estimate != 0 else 1.0
    return _Test(
        estimate=estimate,
        se=se,
        df=df,
        p_value=p_value,
        effect_size=_hedges_g(estimate, var_t, var_c, len(t), len(c)),
        prob_improvement=_prob_improvement(t, c),
        n_treatment=len(t),
        n_control=len(c),
        paired=paired,
        sd_treatment=math.sqrt(var_t),
        sd_control=math.sqrt(var_c),
        sd_difference=sd_difference,
    )


def _hedges_g(estimate: float, var_t: float, var_c: float, n_t: int, n_c: int) -> float | None:
    """The effect in pooled standard deviations, with Hedges' small-sample correction."""
    pooled = math.sqrt(((n_t - 1) * var_t + (n_c - 1) * var_c) / (n_t + n_c - 2))
    if pooled == 0:
        return None
    return estimate / pooled * (1 - 3 / (4 * (n_t + n_c) - 9))


def _prob_improvement(t: np.ndarray, c: np.ndarray) -> float:
    """P(treatment > control) + ½ P(tie) over every treatment-control pair: the
    Mann–Whitney U of the treatment divided by n_t · n_c, as rliable defines it."""
    u_statistic = stats.mannwhitneyu(t, c, alternative="two-sided").statistic
    return float(u_statistic / (len(t) * len(c)))


def _power(
    n: int,
    effect: float,
    sd_treatment: float,
    sd_control: float,
    variance_difference: float | None,
    alpha: float,
) -> float:
    if variance_difference is not None:
        se, df = math.sqrt(variance_difference / n), n - 1.0
    else:
        var_t, var_c = sd_treatment**2, sd_control**2
        se = math.sqrt((var_t + var_c) / n)
        df = (var_t + var_c) ** 2 * (n - 1) / (var_t**2 + var_c**2)
    critical = stats.t.ppf(1 - alpha / 2, df)
    return float(stats.nct.sf(critical, df, effect / se))


# -- Holm's step-down procedure and the verdict -----------------------------------------------
def _holm(p_values: Sequence[float | None], alpha: float) -> tuple[list[float], list[float | None]]:
    """Each comparison's level (alpha / (m − rank)) and Holm-adjusted p-value; m counts every
    comparison of the family, testable or not (conservative)."""
    family = len(p_values)
    levels = [alpha] * family
    adjusted: list[float | None] = list(p_values)
    if family < 2:
        return levels, adjusted
    ranked = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    running = 0.0
    for rank, (p_value, index) in enumerate(ranked):
        levels[index] = alpha / (family - rank)
        running = max(running, min(1.0, (family - rank) * p_value))
        adjusted[index] = running
    return levels, adjusted


def _decide(
    test: _Test,
    level: float,
    adjusted_p: float | None,
    alpha: float,
    min_effect: float,
    family: int,
) -> Comparison:
    half_width = float(stats.t.ppf(1 - level / 2, test.df) * test.se) if test.se > 0 else 0.0
    low, high = test.estimate - half_width, test.estimate + half_width
    significant = adjusted_p is not None and adjusted_p < alpha
    needed = None
    if low > 0 and test.estimate >= min_effect and significant:
        verdict, message = SUPPORTED, None
    elif high < min_effect:
        verdict = NOT_SUPPORTED
        message = (
            "the treatment is reliably worse"
            if high < 0
            else f"any improvement is reliably smaller than min_effect {min_effect:g}"
        )
    else:
        verdict = INCONCLUSIVE
        target = min_effect if min_effect > 0 else test.estimate
        needed = trials_needed(
            target,
            sd_treatment=test.sd_treatment,
            sd_control=test.sd_control,
            sd_difference=test.sd_difference,
            paired=test.paired,
            alpha=alpha / family,
        )
        interval = f"the {1 - level:.0%} interval [{low:.4g}, {high:.4g}]"
        if needed is None:
            message = f"{interval} includes 0 and the observed effect is not an improvement"
        elif needed >= MAX_TRIALS:
            message = (
                f"{interval} does not settle it: {target:.4g} is tiny next to the spread; more "
                f"than {MAX_TRIALS:,} trials per group would be needed"
            )
        else:
            message = (
                f"{interval} does not settle it: about {needed} trials per group would give "
                f"{POWER:.0%} power to detect {target:.4g}"
            )
    return Comparison(
        verdict=verdict,
        message=message,
        effect=test.estimate,
        ci=(low, high),
        p_value=adjusted_p,
        effect_size=test.effect_size,
        prob_improvement=test.prob_improvement,
        n_treatment=test.n_treatment,
        n_control=test.n_control,
        paired=test.paired,
        trials_needed=needed,
    )


def _too_few(
    treatment: Sequence[float], control: Sequence[float], sign: float, paired: bool
) -> Comparison:
    effect = None
    if len(treatment) and len(control):
        effect = sign * (float(np.mean(treatment)) - float(np.mean(control)))
    return Comparison(
        verdict=INCONCLUSIVE,
        message=(
            f"needs at least {MIN_PER_GROUP} completed trials per group "
            f"(has {len(treatment)} treatment, {len(control)} control)"
        ),
        effect=effect,
        ci=None,
        p_value=None,
        effect_size=None,
        prob_improvement=None,
        n_treatment=len(treatment),
        n_control=len(control),
        paired=paired,
        trials_needed=None,
    )


def mean_interval(values: Sequence[float], alpha: float = 0.05) -> tuple[float, float] | None:
    """The (1−alpha) t interval of a mean; None with fewer than two values."""
    if len(values) < MIN_PER_GROUP:
        return None
    array = np.asarray(values, dtype=float)
    half = float(stats.t.ppf(1 - alpha / 2, len(array) - 1) * array.std(ddof=1)) / math.sqrt(
        len(array)
    )
    mean = float(array.mean())
    return (mean - half, mean + half)
