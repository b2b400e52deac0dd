"""Status values, and an experiment's status from its trials' statuses.

Interrupted is derived on read, never stored: the store's SQL owns that rule
(``trialbook/store/core/statuses.py``), with the heartbeat threshold of ``settings``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


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
