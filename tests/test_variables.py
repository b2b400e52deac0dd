from __future__ import annotations

import math

import numpy as np
import pytest

import trialbook as tb
from trialbook.variables import grid, identity, parse_space


def test_plain_list_means_choice() -> None:
    space = parse_space({"opt": ["adam", "sgd"]})
    assert space == {"opt": tb.Choice(["adam", "sgd"])}


def test_grid_is_the_product_in_declared_order() -> None:
    space = parse_space({"a": [1, 2], "b": tb.Choice(["x", "y", "z"])})
    sets = grid(space)
    assert len(sets) == 6
    assert sets[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}]


def test_ranges_linear_log_integer() -> None:
    assert tb.Range(0, 1, num=3).grid() == [0.0, 0.5, 1]
    log = tb.Range(1e-3, 1e-1, scale="log", num=3).grid()
    assert math.isclose(log[1], 1e-2) and log[-1] == 1e-1
    assert tb.Range(1, 10, num=4, integer=True).grid() == [1, 4, 7, 10]


def test_range_grid_values_are_the_ones_people_type() -> None:
    # Without rounding: 0.00010000000000000003 and 0.30000000000000004.
    assert tb.Range(1e-5, 1e-1, scale="log", num=5).grid() == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
    assert tb.Range(0, 1, num=11).grid()[3] == 0.3
    assert tb.Range(0.1, 0.7, num=3).grid() == [0.1, 0.4, 0.7]


def test_range_validation() -> None:
    with pytest.raises(tb.ValidationError, match="num"):
        tb.Range(0, 1).grid()
    with pytest.raises(tb.ValidationError, match="low > 0"):
        tb.Range(0, 1, scale="log")
    with pytest.raises(tb.ValidationError):
        tb.Range(2, 1)
    with pytest.raises(tb.ValidationError):
        tb.Range(0, 1, scale="cubic")
    with pytest.raises(tb.ValidationError):
        tb.Choice([])
    with pytest.raises(tb.ValidationError):
        parse_space({"x": 3})


def test_identity_bool_is_not_int_but_int_equals_float() -> None:
    assert identity({"a": 1}) == identity({"a": 1.0})
    assert identity({"a": True}) != identity({"a": 1})
    assert identity({"b": 2, "a": 1}) == identity({"a": 1, "b": 2})
    assert identity({"a": 0.5}) != identity({"a": 0.25})
    assert identity(None) is None and identity({}) is None


def test_experiment_grid_and_sample_skip_used_sets() -> None:
    exp = tb.Experiment.create(
        "e", hypothesis="h", variables={"lr": tb.Range(0.1, 0.3, num=3), "opt": ["a", "b"]}
    )
    assert len(exp.grid()) == 6
    exp.create_trial(variables={"lr": 0.1, "opt": "a"})
    sample = exp.sample(5, seed=1)
    assert len(sample) == 5
    assert {"lr": 0.1, "opt": "a"} not in sample
    assert len({identity(s) for s in sample}) == 5
    assert exp.sample(5, seed=1) == sample  # reproducible
    with pytest.raises(tb.ValidationError, match="remain"):
        exp.sample(6)


def test_sample_continuous_range() -> None:
    exp = tb.Experiment.create(
        "c", hypothesis="h", variables={"lr": tb.Range(1e-4, 1, scale="log")}
    )
    sets = exp.sample(20, seed=3)
    assert len({s["lr"] for s in sets}) == 20
    assert all(1e-4 <= s["lr"] <= 1 for s in sets)


def test_numpy_values_are_accepted_in_variable_sets() -> None:
    exp = tb.Experiment.create("n", hypothesis="h", variables={"lr": [0.1, 0.2], "n": [1, 2]})
    trial = exp.create_trial(variables={"lr": np.float64(0.1), "n": np.int64(2)})
    assert trial.variables == {"lr": 0.1, "n": 2}
    with pytest.raises(tb.AlreadyExistsError):
        exp.create_trial(variables={"lr": 0.1, "n": 2.0})
