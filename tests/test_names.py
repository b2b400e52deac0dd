from __future__ import annotations

import pytest

import trialbook as tb
from trialbook.names import generate_name, validate_name


@pytest.mark.parametrize("name", ["", "   ", "a/b", "x" * 121, "tab\there", "n\nl", "\x00"])
def test_invalid_names_are_rejected_with_a_reason(name: str) -> None:
    with pytest.raises(tb.ValidationError) as error:
        validate_name(name, "experiment_name")
    assert "experiment_name" in str(error.value)


def test_names_are_trimmed_and_anything_else_is_allowed() -> None:
    assert validate_name("  ok  ") == "ok"
    assert validate_name("x" * 120) == "x" * 120
    for name in ["<img src=x onerror=alert(1)>", "quo'te\"s", "ünïcødé ✓", "a b-c_d.e"]:
        assert validate_name(name) == name


def test_non_string_name() -> None:
    with pytest.raises(tb.ValidationError, match="must be a string"):
        validate_name(3)


def test_api_validates_names_at_the_boundary() -> None:
    with pytest.raises(tb.ValidationError):
        tb.Experiment.create("bad/name", hypothesis="h")
    with pytest.raises(tb.ValidationError):
        tb.TrialComponent.create("")
    exp = tb.Experiment.create("  spaced  ", hypothesis="h")
    assert exp.experiment_name == "spaced"


def test_generated_names_are_valid_and_distinct() -> None:
    names = {generate_name("x" * 200) for _ in range(50)}
    assert len(names) == 50
    assert all(validate_name(name) == name for name in names)


def test_errors_are_the_documented_types() -> None:
    assert issubclass(tb.NotFoundError, LookupError)
    assert issubclass(tb.ValidationError, ValueError)
    for error in (tb.NotFoundError, tb.AlreadyExistsError, tb.ValidationError):
        assert issubclass(error, tb.TrialbookError)
    assert tb.AlreadyExistsError("m", existing=1).existing == 1
