"""``Tracker.close(status=...)``: how integrations end a component Stopped or Failed."""

from __future__ import annotations

import pytest

import trialbook as tb


@pytest.mark.parametrize("status", ["Completed", "Failed", "Stopped", tb.TrialStatus.STOPPED])
def test_close_with_a_status_and_message(status) -> None:
    tracker = tb.Tracker.create("closing")
    tracker.close(status=status, status_message="why")
    component = tracker.trial_component
    assert component.status == tb.TrialStatus(status)
    assert component.status_message == "why" and component.end_time is not None


@pytest.mark.parametrize("status", ["InProgress", "Interrupted", "Done"])
def test_close_refuses_a_status_that_is_not_final(status) -> None:
    tracker = tb.Tracker.create("closing")
    with pytest.raises(tb.ValidationError, match="takes 'Completed', 'Failed' or 'Stopped'"):
        tracker.close(status=status)
    assert tracker.trial_component.status == tb.TrialStatus.IN_PROGRESS
    tracker.close()
