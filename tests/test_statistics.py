"""The verdict's statistics on known answers and, over 1,000 simulated experiments each,
its false-positive rate and its power at the recommended number of trials."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from trialbook import statistics
from trialbook.statistics import Contrast, compare, compare_many, trials_needed

SIMULATIONS = 1000
ALPHA = 0.05
# Three binomial standard errors around the target rate over 1,000 runs.
NULL_CEILING = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / SIMULATIONS)
POWER_BAND = 3 * math.sqrt(0.8 * 0.2 / SIMULATIONS)


def test_welch_matches_scipy_and_the_numbers_are_the_textbook_ones():
    treatment = [0.91, 0.93, 0.90, 0.94, 0.92]
    control = [0.88, 0.86, 0.89, 0.87]
    result = compare(treatment, control)
    reference = scipy_stats.ttest_ind(treatment, control, equal_var=False)

    assert result.effect == pytest.approx(np.mean(treatment) - np.mean(control))
    assert result.p_value == pytest.approx(reference.pvalue)
    low, high = reference.confidence_interval(0.95)
    assert result.ci == pytest.approx((low, high))
    assert result.paired is False
    pooled = math.sqrt((4 * np.var(treatment, ddof=1) + 3 * np.var(control, ddof=1)) / 7)
    assert result.effect_size == pytest.approx(result.effect / pooled * (1 - 3 / (4 * 9 - 9)))
    assert result.prob_improvement == 1.0  # every treatment trial beats every control trial
    assert result.verdict == statistics.SUPPORTED


def test_paired_matches_scipy_and_pairing_removes_shared_noise():
    shared = [0.0, 0.3, -0.2, 0.5, 0.1, -0.4]  # e.g. a seed's luck, the same for both models
    control = [0.80 + s for s in shared]
    gains = [0.02, 0.03, 0.025, 0.018, 0.03, 0.022]
    treatment = [c + d for c, d in zip(control, gains, strict=True)]
    paired = compare(treatment, control, paired=True)
    reference = scipy_stats.ttest_rel(treatment, control)

    assert paired.p_value == pytest.approx(reference.pvalue)
    assert paired.ci == pytest.approx(tuple(reference.confidence_interval(0.95)))
    assert paired.verdict == statistics.SUPPORTED
    assert compare(treatment, control).verdict == statistics.INCONCLUSIVE  # Welch drowns it


def test_minimize_signs_the_effect_so_that_positive_is_better():
    result = compare([0.10, 0.11, 0.12], [0.20, 0.21, 0.19], maximize=False)
    assert result.effect == pytest.approx(0.09)
    assert result.ci[0] > 0 and result.prob_improvement == 1.0
    assert result.verdict == statistics.SUPPORTED


def test_planted_strong_negligible_and_two_seed_experiments():
    rng = np.random.default_rng(12)
    strong = compare(rng.normal(1.0, 0.1, 10), rng.normal(0.0, 0.1, 10), min_effect=0.1)
    assert strong.verdict == statistics.SUPPORTED and strong.trials_needed is None

    negligible = compare(rng.normal(0.001, 0.01, 30), rng.normal(0.0, 0.01, 30), min_effect=0.05)
    assert negligible.verdict == statistics.NOT_SUPPORTED
    assert "smaller than min_effect" in negligible.message

    two_seeds = compare([0.90, 0.93], [0.89, 0.90], min_effect=0.01)
    assert two_seeds.verdict == statistics.INCONCLUSIVE
    assert two_seeds.trials_needed is not None and two_seeds.trials_needed > 2
    assert f"about {two_seeds.trials_needed} trials per group" in two_seeds.message

    worse = compare([0.5, 0.51, 0.49, 0.5], [0.9, 0.91, 0.89, 0.9])
    assert worse.verdict == statistics.NOT_SUPPORTED and "reliably worse" in worse.message


def test_fewer_than_two_per_group_is_inconclusive_without_nan():
    for treatment, control in (([], []), ([1.0], [0.0, 0.5]), ([1.0, 2.0], [0.0])):
        result = compare(treatment, control)
        assert result.verdict == statistics.INCONCLUSIVE
        assert "at least 2 completed trials per group" in result.message
        for number in (result.effect, result.p_value, result.effect_size):
            assert number is None or math.isfinite(number)


def test_identical_values_give_numbers_not_nan():
    result = compare([1.0, 1.0, 1.0], [0.5, 0.5, 0.5])
    assert result.verdict == statistics.SUPPORTED
    assert result.ci == (0.5, 0.5) and result.p_value == 0.0 and result.effect_size is None


def test_holm_adjusts_p_values_and_widens_intervals():
    rng = np.random.default_rng(3)
    treatment = rng.normal(1.0, 1.0, 12)
    controls = [rng.normal(0.0, 1.0, 12) for _ in range(3)]
    alone = [compare(treatment, control) for control in controls]
    family = compare_many([Contrast(treatment, c) for c in controls], alpha=ALPHA)

    ranked = sorted(range(3), key=lambda i: alone[i].p_value)
    expected, running = {}, 0.0
    for rank, index in enumerate(ranked):
        running = max(running, min(1.0, (3 - rank) * alone[index].p_value))
        expected[index] = running
    for index in range(3):
        assert family[index].p_value == pytest.approx(expected[index])
        width = family[index].ci[1] - family[index].ci[0]
        alone_width = alone[index].ci[1] - alone[index].ci[0]
        # Holm's levels alpha/3, alpha/2, alpha by rank: the last keeps its own interval.
        assert width > alone_width if index != ranked[-1] else width == pytest.approx(alone_width)


def test_trials_needed_matches_the_textbook_sample_size():
    # Two-sided alpha 0.05, 80% power, effect of one standard deviation: 17 per group.
    assert trials_needed(1.0, sd_treatment=1.0, sd_control=1.0) == 17
    assert trials_needed(0.5, sd_treatment=1.0, sd_control=1.0) == 64
    assert trials_needed(-0.1, sd_treatment=1.0, sd_control=1.0) is None
    assert trials_needed(1e-300, sd_treatment=1.0, sd_control=1.0) == statistics.MAX_TRIALS
    tiny = compare([1.0, 1.2, 0.9], [1.0, 1.1, 1.0], min_effect=1e-9)
    assert tiny.trials_needed == statistics.MAX_TRIALS and "more than 100,000" in tiny.message


@pytest.mark.parametrize("paired", [False, True])
def test_with_no_true_effect_supported_comes_out_at_most_alpha(paired):
    rng = np.random.default_rng(2021)
    supported = 0
    for _ in range(SIMULATIONS):
        seed_luck = rng.normal(0.0, 1.0, 5)
        treatment = seed_luck + rng.normal(0.0, 0.5, 5)
        control = (seed_luck if paired else rng.normal(0.0, 1.0, 5)) + rng.normal(0.0, 0.5, 5)
        result = compare(treatment, control, paired=paired, alpha=ALPHA)
        supported += result.verdict == statistics.SUPPORTED
    rate = supported / SIMULATIONS
    print(f"no true effect, paired={paired}: supported in {rate:.3f} of {SIMULATIONS}")
    assert rate <= NULL_CEILING


@pytest.mark.parametrize(
    ("paired", "effect", "sd"), [(False, 0.5, 1.0), (False, 1.0, 0.8), (True, 0.3, 0.5)]
)
def test_with_a_true_effect_and_the_recommended_trials_supported_comes_out_80_percent(
    paired, effect, sd
):
    # What the tool recommends for this effect and spread (min_effect 0: the observed effect).
    if paired:
        n = trials_needed(effect, sd_treatment=sd, sd_control=sd, sd_difference=sd, paired=True)
    else:
        n = trials_needed(effect, sd_treatment=sd, sd_control=sd)
    rng = np.random.default_rng(7)
    supported = 0
    for _ in range(SIMULATIONS):
        control = rng.normal(0.0, sd, n)
        gain = rng.normal(effect, sd, n)
        treatment = control + gain if paired else gain
        supported += compare(treatment, control, paired=paired).verdict == statistics.SUPPORTED
    rate = supported / SIMULATIONS
    print(f"true effect {effect}, sd {sd}, paired={paired}, n={n}: supported in {rate:.3f}")
    assert abs(rate - 0.8) <= POWER_BAND


def test_an_inconclusive_pilot_recommends_enough_trials():
    """Run the recommendation the way a user does: from a pilot's own numbers."""
    rng = np.random.default_rng(5)
    pilot = compare(rng.normal(0.6, 1.0, 6), rng.normal(0.0, 1.0, 6), min_effect=0.6)
    assert pilot.verdict == statistics.INCONCLUSIVE
    n = pilot.trials_needed
    supported = sum(
        compare(rng.normal(0.6, 1.0, n), rng.normal(0.0, 1.0, n)).verdict == statistics.SUPPORTED
        for _ in range(300)
    )
    # The pilot's spread is itself an estimate: the power lands near, not at, 80%.
    assert 0.5 <= supported / 300 <= 0.99
