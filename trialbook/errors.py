"""The errors Trialbook raises; every message says what was wrong and what to do."""

from __future__ import annotations

from typing import Any


class TrialbookError(Exception):
    """Base class of every error raised by Trialbook."""


class NotFoundError(TrialbookError, LookupError):
    """A named experiment, trial, component or artifact does not exist."""


class AlreadyExistsError(TrialbookError):
    """Something with that name (or that variable set) already exists; see ``.existing``."""

    def __init__(self, message: str, existing: Any = None) -> None:
        super().__init__(message)
        self.existing = existing


class ValidationError(TrialbookError, ValueError):
    """An argument was rejected at the API boundary."""


class StoreVersionError(TrialbookError):
    """The store was written by a newer Trialbook than the one running."""


class StoreUnavailableError(TrialbookError):
    """The store cannot be reached right now (server down, restarting, network); retryable:
    the metric writer keeps the points buffered and tries again."""
