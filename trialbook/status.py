"""Status values and their derivation; Interrupted is computed on read, never stored."""

from __future__ import annotations

import time
from collections.abc import Iterable
from enum import Enum

from trialbook import settings


class TrialStatus(str, Enum):
    """Status of a trial component, trial or experiment."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPED = "Stopped"
    INTERRUPTED = "Interrupted"

    def __str__(self) -> str:
        return self.value


STORED_STATUSES = frozenset(
    {TrialStatus.IN_PROGRESS, TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.STOPPED}
)
ALL_STATUSES = tuple(status.value for status in TrialStatus)


def component_status(
    stored: str | None,
    heartbeat_time: float | None,
    *,
    now: float | None = None,
    stale_after: float | None = None,
) -> str | None:
    """The status to show: InProgress whose heartbeat is older than the threshold is Interrupted."""
    if stored != TrialStatus.IN_PROGRESS.value:
        return stored
    now = time.time() if now is None else now
    stale_after = settings.stale_seconds() if stale_after is None else stale_after
    if heartbeat_time is None or now - heartbeat_time > stale_after:
        return TrialStatus.INTERRUPTED.value
    return stored


def trial_status(components: Iterable[tuple[str | None, float | None, float]]) -> str | None:
    """A trial is InProgress while any component is; else the most recently started one's status.

    ``components`` are ``(derived_status, start_time, creation_time)`` tuples.
    """
    latest: tuple[float, str] | None = None
    for status, start_time, creation_time in components:
        if status is None:
            continue
        if status == TrialStatus.IN_PROGRESS.value:
            return status
        started = start_time if start_time is not None else creation_time
        if latest is None or started >= latest[0]:
            latest = (started, status)
    return latest[1] if latest else None


def experiment_status(trials: Iterable[tuple[str | None, float]]) -> str | None:
    """InProgress while any trial is; else the status of the most recently active trial.

    ``trials`` are ``(derived_status, last_activity)`` tuples.
    """
    latest: tuple[float, str] | None = None
    for status, activity in trials:
        if status is None:
            continue
        if status == TrialStatus.IN_PROGRESS.value:
            return status
        if latest is None or activity >= latest[0]:
            latest = (activity, status)
    return latest[1] if latest else None
