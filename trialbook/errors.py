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


class QueryError(ValidationError):
    """A query was rejected; ``str()`` shows the message and the query with a caret line.

    ``offset`` and ``end`` are character offsets into ``query`` (0-based, ``end`` exclusive),
    ``line`` and ``column`` the 1-based position of ``offset``: the UI underlines
    ``query[offset:end]``; REST sends them beside the message.
    """

    def __init__(self, message: str, query: str, offset: int, end: int | None = None) -> None:
        offset = max(0, min(offset, len(query)))
        end = offset + 1 if end is None or end <= offset else min(end, max(len(query), offset + 1))
        self.message = message
        self.query = query
        self.offset = offset
        self.end = end
        self.line = query.count("\n", 0, offset) + 1
        self.column = offset - (query.rfind("\n", 0, offset) + 1) + 1
        super().__init__(self._render())

    def _render(self) -> str:
        where = (
            f"column {self.column}"
            if "\n" not in self.query
            else (f"line {self.line}, column {self.column}")
        )
        start_of_line = self.query.rfind("\n", 0, self.offset) + 1
        end_of_line = self.query.find("\n", self.offset)
        if end_of_line == -1:
            end_of_line = len(self.query)
        text = self.query[start_of_line:end_of_line]
        width = max(1, min(self.end, end_of_line) - self.offset)
        caret = " " * (self.offset - start_of_line) + "^" * width
        return f"{self.message} (at {where})\n  {text}\n  {caret}"

    def to_dict(self) -> dict[str, object]:
        """What a REST error carries so a query bar can underline the problem."""
        return {
            "message": self.message,
            "offset": self.offset,
            "end": self.end,
            "line": self.line,
            "column": self.column,
        }


class StoreError(TrialbookError):
    """The store's file, folder or disk cannot be used as it is; the message names the path
    and what to do."""


class StoreFullError(StoreError):
    """The disk (or quota) holding the store is full. Buffered metric points are kept and
    written again once there is space."""


class StoreReadOnlyError(StoreError):
    """The store can be read but not written by this process."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached right now (server down, restarting, network); retryable:
    the metric writer keeps the points buffered and tries again."""
