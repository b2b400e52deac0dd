"""Tunable intervals, read from the environment so tests and operators can change them."""

from __future__ import annotations

import os


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def heartbeat_seconds() -> float:
    """How often the writer thread refreshes the heartbeat of live components (default 5 s)."""
    return _seconds("TRIALBOOK_HEARTBEAT_SECONDS", 5.0)


def stale_seconds() -> float:
    """Age of the last heartbeat after which InProgress reads as Interrupted (default 30 s)."""
    return _seconds("TRIALBOOK_STALE_SECONDS", 30.0)


def flush_seconds() -> float:
    """How often buffered metric points are written (default 0.25 s; at most 1 s)."""
    return min(_seconds("TRIALBOOK_FLUSH_SECONDS", 0.25), 1.0)


def changes_kept() -> int:
    """How many of the latest change-feed rows the store keeps (default 50,000): older ones
    are pruned, and a reader whose cursor fell behind them is told to reset."""
    raw = os.environ.get("TRIALBOOK_CHANGES_KEPT", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 50_000


def max_buffered_points() -> int:
    """How many metric points may wait for the writer, shared by the live series (default
    524,288, at most 32,768 a series); past it ``log_metric`` waits for the writer. Read
    when a store's writer is created."""
    raw = os.environ.get("TRIALBOOK_MAX_BUFFERED_POINTS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 524_288
