"""The verdict on experiment payloads is cached per experiment and recomputed when it changes."""

import trialbook
from trialbook.server import verdicts
from trialbook.store import open_store


def claimed_experiment():
    exp = trialbook.Experiment.create(
        "cached",
        objective={"metric": "acc", "goal": "maximize", "variable": "model", "treatment": "a"},
        variables={"model": ["a", "b"], "seed": [0, 1, 2]},
    )
    for seed, (a, b) in enumerate([(0.90, 0.80), (0.91, 0.81), (0.92, 0.80)]):
        for model, value in (("a", a), ("b", b)):
            with exp.run(variables={"model": model, "seed": seed}) as tracker:
                tracker.log_metric("acc", value)
    return exp


def summary():
    return open_store().experiment_summary("cached")


def test_metrics_alone_recompute_at_most_every_few_seconds(monkeypatch):
    exp = claimed_experiment()
    cache = verdicts.VerdictCache()
    assert cache.verdict(open_store(), summary()) == "supported"

    # A late metric makes b win on every seed: only the last activity moves.
    for trial in exp.list_trials():
        if trial.variables["model"] == "b":
            (component,) = trial.list_trial_components()
            late = trialbook.Tracker.load(component.trial_component_name)
            late.log_metric("acc", 0.99)
    trialbook.flush()
    assert exp.evaluate().verdict == "not supported"

    assert cache.verdict(open_store(), summary()) == "supported"  # within ACTIVITY_SECONDS
    monkeypatch.setattr(verdicts, "ACTIVITY_SECONDS", 0.0)
    assert cache.verdict(open_store(), summary()) == "not supported"


def test_a_status_change_recomputes_at_once():
    exp = claimed_experiment()
    cache = verdicts.VerdictCache()
    assert cache.verdict(open_store(), summary()) == "supported"
    exp.delete_all(force=True)
    trialbook.Experiment.create(
        "cached",
        objective={"metric": "acc", "goal": "maximize", "variable": "model", "treatment": "a"},
        variables={"model": ["a", "b"], "seed": [0, 1, 2]},
    )
    assert cache.verdict(open_store(), summary()) == "inconclusive"


def test_no_claim_no_verdict():
    trialbook.Experiment.create("plain", objective={"metric": "acc", "goal": "maximize"})
    row = open_store().experiment_summary("plain")
    assert verdicts.VerdictCache().verdict(open_store(), row) is None
