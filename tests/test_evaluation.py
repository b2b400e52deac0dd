"""exp.evaluate() end to end through a real store: the claim, the verdicts, the evidence."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import trialbook as tb
from trialbook.kernel.display import mime_type
from trialbook.objective import ClaimError

CLAIM = {
    "metric": "acc",
    "goal": "maximize",
    "variable": "model",
    "treatment": "custom",
    "control": "resnet50",
}


def experiment(name="e", *, claim=None, models=("custom", "resnet50"), seeds=5, **space):
    return tb.Experiment.create(
        name,
        hypothesis="custom beats resnet50",
        objective={**CLAIM, **(claim or {})},
        variables={"model": list(models), "seed": list(range(seeds)), **space},
    )


def run_trials(exp, means, *, seeds, luck=0.01, noise=0.0025, rng_seed=0, **fixed):
    """Trials whose value is the model's mean + the seed's luck (shared by the models, as
    a data order would be) + the trial's own noise."""
    rng = np.random.default_rng(rng_seed)
    for seed in seeds:
        seed_luck = rng.normal(0, luck)
        for model, mean in means.items():
            with exp.run(variables={"model": model, "seed": seed, **fixed}) as tracker:
                value = mean + seed_luck + rng.normal(0, noise)
                for step, fraction in enumerate((0.5, 0.9, 1.0)):
                    tracker.log_metric("acc", value * fraction, step=step)


# -- the claim is validated where it is stated ---------------------------------------------------
def test_the_claim_is_stored_with_its_defaults():
    exp = experiment()
    assert exp.objective == {
        **CLAIM,
        "summary": "best",
        "min_effect": 0.0,
        "alpha": 0.05,
    }
    assert tb.Experiment.load("e").objective == exp.objective


@pytest.mark.parametrize(
    ("claim", "key", "words"),
    [
        ({"treatment": "vgg"}, "treatment", "allowed: 'custom', 'resnet50'"),
        ({"control": "vgg"}, "control", "allowed: 'custom', 'resnet50'"),
        ({"control": "custom"}, "control", "must differ from the treatment"),
        ({"variable": "optimizer"}, "variable", "not a declared variable (model, seed)"),
        ({"min_effect": -0.1}, "min_effect", "at least 0"),
        ({"min_effect": "big"}, "min_effect", "finite number"),
        ({"alpha": 1.5}, "alpha", "between 0 and 1"),
        ({"summary": "median"}, "summary", "best, last, max, min, mean"),
        ({"treatment": None}, "treatment", "treatment value"),
        ({"effect": 1}, "effect", "unknown keys"),
    ],
)
def test_a_bad_claim_key_is_named_at_create(claim, key, words):
    with pytest.raises(ClaimError) as error:
        experiment(claim=claim)
    assert error.value.key == key
    assert words in str(error.value)
    assert isinstance(error.value, tb.ValidationError)


def test_a_range_variable_takes_treatments_inside_it():
    space = {"lr": tb.Range(0.001, 0.1, scale="log", num=3)}
    objective = {"metric": "acc", "goal": "maximize", "variable": "lr", "treatment": 0.1}
    tb.Experiment.create("ok", objective=objective, variables=space)
    with pytest.raises(ClaimError, match=r"a number from 0\.001 to 0\.1"):
        tb.Experiment.create("bad", objective={**objective, "treatment": 1.0}, variables=space)


def test_evaluate_validates_overrides_like_create():
    exp = experiment()
    with pytest.raises(ClaimError, match="allowed: 'custom', 'resnet50'"):
        exp.evaluate(treatment="vgg")
    with pytest.raises(ClaimError, match="give any of metric, goal"):
        exp.evaluate(treatmen="custom")
    plain = tb.Experiment.create("plain", hypothesis="H", variables={"model": ["a", "b"]})
    with pytest.raises(tb.ValidationError, match="states no claim"):
        plain.evaluate()


def test_importing_and_creating_does_not_import_scipy():
    code = (
        "import sys, trialbook as tb; "
        "tb.Experiment.create('x', objective={'metric': 'a', 'goal': 'maximize', "
        "'variable': 'm', 'treatment': 1}, variables={'m': [1, 2]}); "
        "print('scipy' in sys.modules)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


# -- planted answers ------------------------------------------------------------------------
def test_a_strong_planted_effect_is_supported_with_a_paired_analysis():
    exp = experiment(claim={"min_effect": 0.01})
    run_trials(exp, {"custom": 0.92, "resnet50": 0.88}, seeds=range(5))

    result = exp.evaluate()

    assert result.verdict == "supported"
    assert result.paired is True
    assert result.n_treatment == result.n_control == 5
    assert result.effect == pytest.approx(0.04, abs=0.01)
    assert result.ci[0] > 0.01 and result.p_value < 0.05
    assert result.prob_improvement > 0.8 and result.effect_size > 0
    assert result.trials_needed is None
    assert list(result.groups["value"]) == ["custom", "resnet50"]
    assert list(result.groups["n"]) == [5, 5]
    text = json.dumps(tb.wire.json_safe(result.to_dict()), allow_nan=False)
    assert '"verdict": "supported"' in text


def test_a_negligible_effect_is_not_supported():
    exp = experiment(claim={"min_effect": 0.05}, seeds=8)
    run_trials(exp, {"custom": 0.881, "resnet50": 0.88}, seeds=range(8))
    result = exp.evaluate()
    assert result.verdict == "not supported"
    assert result.ci[1] < 0.05


def test_two_seeds_are_inconclusive_and_say_how_many_would_settle_it():
    exp = experiment(claim={"min_effect": 0.01})
    for seed, (custom, resnet) in enumerate([(0.91, 0.88), (0.89, 0.90)]):
        for model, value in (("custom", custom), ("resnet50", resnet)):
            with exp.run(variables={"model": model, "seed": seed}) as tracker:
                tracker.log_metric("acc", value)
    result = exp.evaluate()
    assert result.verdict == "inconclusive" and result.paired
    assert result.effect == pytest.approx(0.01)
    assert result.trials_needed is not None and result.trials_needed > 2
    assert "trials per group" in result.message


def test_one_trial_per_group_is_inconclusive_with_a_message():
    exp = experiment()
    run_trials(exp, {"custom": 0.9, "resnet50": 0.8}, seeds=[0])
    result = exp.evaluate()
    assert result.verdict == "inconclusive"
    assert "at least 2 completed trials per group" in result.message
    assert result.ci is None and result.p_value is None
    json.dumps(result.to_dict(), allow_nan=False)


def test_unfinished_trials_are_excluded_and_counted():
    exp = experiment()
    run_trials(exp, {"custom": 0.92, "resnet50": 0.88}, seeds=range(3))
    with pytest.raises(RuntimeError), exp.run(variables={"model": "custom", "seed": 3}):
        raise RuntimeError("diverged")
    live = exp.run(variables={"model": "resnet50", "seed": 3})
    live.__enter__()
    try:
        with exp.run(variables={"model": "custom", "seed": 4}) as tracker:
            tracker.log_metric("loss", 1.0)  # never logs acc
        result = exp.evaluate()
    finally:
        live.__exit__(None, None, None)
    assert result.excluded == {
        "Failed": 1,
        "Stopped": 0,
        "Interrupted": 0,
        "InProgress": 1,
        "NoMetric": 1,
    }
    assert result.n_treatment == result.n_control == 3


def test_the_summary_and_goal_decide_each_trials_value():
    exp = experiment()
    run_trials(exp, {"custom": 0.9, "resnet50": 0.8}, seeds=range(3))
    best = exp.evaluate()
    last = exp.evaluate(summary="last")
    mean = exp.evaluate(summary="mean")
    assert best.effect == pytest.approx(last.effect)  # the last point is the best here
    assert mean.effect == pytest.approx(best.effect * (0.5 + 0.9 + 1.0) / 3, rel=0.05)
    lowest = exp.evaluate(summary="min")
    assert lowest.effect == pytest.approx(best.effect * 0.5, rel=0.05)
    worse = exp.evaluate(goal="minimize")  # lower acc would be better: custom is worse
    assert worse.verdict == "not supported" and worse.effect < 0


def test_several_controls_are_holm_corrected():
    exp = experiment(models=("custom", "resnet50", "vgg"), claim={"control": None})
    run_trials(exp, {"custom": 0.92, "resnet50": 0.88, "vgg": 0.87}, seeds=range(5))
    result = exp.evaluate()
    assert result.correction == "holm"
    assert [c["control"] for c in result.comparisons] == ["resnet50", "vgg"]
    assert result.verdict == "supported" and "Holm" in result.message
    assert result.to_dict()["correction"] == "holm"
    single = exp.evaluate(control="vgg")
    assert single.correction is None and len(single.comparisons) == 1


def test_unpaired_trials_use_welch():
    exp = experiment(claim={"min_effect": 0.0})
    run_trials(exp, {"custom": 0.92}, seeds=range(0, 3))
    run_trials(exp, {"resnet50": 0.88}, seeds=range(2, 5))
    result = exp.evaluate()
    assert result.paired is False
    assert result.n_treatment == result.n_control == 3


def test_the_inline_view_is_the_mime_type_plus_escaped_html():
    name = '<img src=x onerror="alert(1)">'
    exp = tb.Experiment.create(
        name,
        objective={**CLAIM, "treatment": "<b>new</b>", "control": "old"},
        variables={"model": ["<b>new</b>", "old"], "seed": [0, 1, 2]},
    )
    run_trials(exp, {"<b>new</b>": 0.9, "old": 0.8}, seeds=range(3))
    bundle = exp.evaluate()._repr_mimebundle_()

    payload = bundle[mime_type("evaluation")]
    assert payload["kind"] == "evaluation" and payload["experiment"] == name
    assert payload["evaluation"]["verdict"] == "supported"
    json.dumps(payload, allow_nan=False)
    html = bundle["text/html"]
    assert "<img" not in html and "<b>" not in html and "&lt;b&gt;new&lt;/b&gt;" in html
    assert "<svg" in html and html.count("<circle") == 6
    assert "supported" in bundle["text/plain"]


# -- averaged over seeds, and coverage ------------------------------------------------------------
def test_dataframe_grouped_over_seeds_has_n_and_mean_with_interval():
    exp = experiment(lr=[0.1, 0.01])
    for lr in (0.1, 0.01):
        run_trials(exp, {"custom": 0.9, "resnet50": 0.85}, seeds=range(3), lr=lr)
    frame = exp.dataframe(group_by_except=["seed"])
    assert len(frame) == 4 and list(frame["n"]) == [3, 3, 3, 3]
    trials = exp.dataframe()
    first = trials[(trials["model"] == "custom") & (trials["lr"] == 0.1)]["acc - Max"]
    row = frame[(frame["model"] == "custom") & (frame["lr"] == 0.1)].iloc[0]
    assert row["acc - Max mean"] == pytest.approx(first.mean())
    assert row["acc - Max sd"] == pytest.approx(first.std(ddof=1))
    half = 4.302652729911275 * first.std(ddof=1) / math.sqrt(3)  # t(0.975, 2)
    assert row["acc - Max hi"] == pytest.approx(first.mean() + half)
    sd_frame = exp.dataframe(group_by_except=["seed"], spread="sd")
    sd_row = sd_frame[(sd_frame["model"] == "custom") & (sd_frame["lr"] == 0.1)].iloc[0]
    assert sd_row["acc - Max lo"] == pytest.approx(first.mean() - first.std(ddof=1))
    with pytest.raises(tb.ValidationError, match="not variables"):
        exp.dataframe(group_by_except=["sed"])


def test_missing_lists_the_grid_sets_without_a_completed_trial():
    exp = tb.Experiment.create(
        "grid",
        hypothesis="H",
        variables={"model": ["a", "b"], "lr": tb.Range(0.01, 0.1, num=2)},
    )
    with exp.run(variables={"model": "a", "lr": 0.01}) as tracker:
        tracker.log_metric("acc", 1.0)
    with pytest.raises(RuntimeError), exp.run(variables={"model": "b", "lr": 0.1}):
        raise RuntimeError("boom")
    missing = exp.missing()
    assert sorted((m["model"], m["lr"]) for m in missing) == [("a", 0.1), ("b", 0.01), ("b", 0.1)]
    assert all(m in exp.grid() for m in missing)  # in grid order, as exp.grid() has them


def test_without_scipy_evaluate_says_what_to_install():
    code = (
        "import sys; sys.modules['scipy'] = None; import trialbook as tb; "
        "exp = tb.Experiment.create('x', objective={'metric': 'a', 'goal': 'maximize', "
        "'variable': 'm', 'treatment': 1}, variables={'m': [1, 2]})\n"
        "try:\n    exp.evaluate()\nexcept ImportError as error:\n    print(error)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install 'trialbook[stats]'" in output.stdout


def test_several_claims_are_one_holm_corrected_family():
    exp = experiment()
    rng = np.random.default_rng(4)
    for seed in range(5):
        for model, (acc, loss) in {"custom": (0.92, 0.30), "resnet50": (0.88, 0.31)}.items():
            with exp.run(variables={"model": model, "seed": seed}) as tracker:
                tracker.log_metric("acc", acc + rng.normal(0, 0.003))
                tracker.log_metric("loss", loss + rng.normal(0, 0.02))
    result = exp.evaluate(claims=[{}, {"metric": "loss", "goal": "minimize"}])

    assert result.correction == "holm" and len(result.claims) == 2
    assert [c["metric"] for c in result.comparisons] == ["acc", "loss"]
    assert result.comparisons[0]["verdict"] == "supported"
    assert result.verdict != "supported" and "of 2 claims" in result.message
    assert "on loss (best, minimize)" in result.text
    assert set(result.groups["metric"]) == {"acc", "loss"}
    alone = exp.evaluate()
    assert result.comparisons[0]["p_value"] >= alone.p_value  # adjusted upwards
    with pytest.raises(tb.ValidationError, match="non-empty list of dicts"):
        exp.evaluate(claims={"metric": "loss"})
    with pytest.raises(ClaimError, match="same alpha"):
        exp.evaluate(claims=[{}, {"alpha": 0.1}])
