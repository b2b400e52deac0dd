"""Store access: ``open_store()`` returns this process's cached store for a location.

The package: ``core/`` (the interface, records, vocabulary and ``SqlStore`` holding the SQL),
``sqlite/`` (the SQLite backend), ``location.py`` (where the store is) and ``writer.py``
(the background metric writer). Everything outside ``trialbook.store`` imports from here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from trialbook.errors import TrialbookError
from trialbook.store.core import (
    SUMMARY_STATS,
    TRIAL_FILTER_OPERATORS,
    TRIAL_FIXED_COLUMNS,
    TRIAL_METRIC_STATS,
    ArtifactRecord,
    Change,
    ComponentRecord,
    ExperimentRecord,
    MetricPoint,
    MetricSummary,
    OwnerKind,
    ParameterValue,
    RunStart,
    SeriesPoints,
    Store,
    TrialFilter,
    TrialQuery,
    TrialRecord,
    TrialTable,
)
from trialbook.store.location import StoreLocation, resolve_store_location
from trialbook.store.sqlite import SqliteStore
from trialbook.store.writer import MetricWriter

__all__ = [
    "SUMMARY_STATS",
    "TRIAL_FILTER_OPERATORS",
    "TRIAL_FIXED_COLUMNS",
    "TRIAL_METRIC_STATS",
    "ArtifactRecord",
    "Change",
    "ComponentRecord",
    "ExperimentRecord",
    "MetricPoint",
    "MetricSummary",
    "MetricWriter",
    "OwnerKind",
    "ParameterValue",
    "RunStart",
    "SeriesPoints",
    "Store",
    "StoreLocation",
    "TrialFilter",
    "TrialQuery",
    "TrialRecord",
    "TrialTable",
    "add_change_listener",
    "create_store",
    "metric_writer",
    "open_store",
    "open_store_and_writer",
    "reset_store_cache",
    "resolve_store_location",
]


@dataclass
class _Session:
    store: Store
    writer: MetricWriter
    pid: int


_sessions: dict[str, _Session] = {}
_sessions_lock = threading.Lock()
_exit_hooks: list[Callable[[], None]] = []
_change_listeners: list[Callable[[list[Change]], None]] = []


def create_store(location: StoreLocation) -> Store:
    """A new (uncached) store object for a resolved location."""
    if location.kind == "sqlite":
        return SqliteStore(location)
    try:  # psycopg is imported for a PostgreSQL store only
        from trialbook.store.postgres.store import PostgresStore
    except ImportError as error:
        raise TrialbookError(
            f"The store {location.describe()} is PostgreSQL, which needs psycopg: install "
            f"Trialbook's postgres extra (`pip install 'trialbook[postgres]'`) ({error})."
        ) from None
    return PostgresStore(location)


def _session(location: str | None) -> _Session:
    resolved = resolve_store_location(location)
    key = resolved.url
    with _sessions_lock:
        session = _sessions.get(key)
        if session is not None and session.pid == os.getpid():
            return session
        if session is not None:  # inherited across a fork that skipped our hook
            session.store.reset_after_fork()
            session.writer.reset_after_fork()
            session.pid = os.getpid()
            return session
        store = create_store(resolved)
        for listener in _change_listeners:
            store.add_change_listener(listener)
        session = _Session(store, MetricWriter(store), os.getpid())
        _sessions[key] = session
        return session


def open_store(location: str | None = None) -> Store:
    """The store at ``location`` (default: ``resolve_store_location()``), cached per process."""
    return _session(location).store


def metric_writer(location: str | None = None) -> MetricWriter:
    """The background metric writer bound to the store at ``location``."""
    return _session(location).writer


def open_store_and_writer(location: str | None = None) -> tuple[Store, MetricWriter]:
    """``open_store`` and ``metric_writer`` with one resolution of the location (a sweep
    opens a tracker per trial)."""
    session = _session(location)
    return session.store, session.writer


def flush_all() -> None:
    """Write every buffered metric point of every open store."""
    with _sessions_lock:
        sessions = list(_sessions.values())
    for session in sessions:
        session.writer.flush()


def reset_store_cache() -> None:
    """Flush, stop writers and close every cached store (tests; changing TRIALBOOK_STORE)."""
    with _sessions_lock:
        sessions = list(_sessions.values())
        _sessions.clear()
    for session in sessions:
        session.writer.close()
        session.store.close()


def add_change_listener(listener: Callable[[list[Change]], None]) -> None:
    """Observe the committed writes of every store this process opens, now and later."""
    with _sessions_lock:
        _change_listeners.append(listener)
        stores = [session.store for session in _sessions.values()]
    for store in stores:
        store.add_change_listener(listener)


def register_exit_hook(hook: Callable[[], None]) -> None:
    """Run ``hook`` at interpreter exit before the final flush (used to close open trackers)."""
    _exit_hooks.append(hook)


def _at_exit() -> None:
    for hook in _exit_hooks:
        with contextlib.suppress(Exception):
            hook()
    with _sessions_lock:
        sessions = list(_sessions.values())
    for session in sessions:
        if session.pid == os.getpid():
            session.writer.flush_quietly()


def _after_fork_in_child() -> None:
    global _sessions_lock
    _sessions_lock = threading.Lock()
    # Observers belong to the parent (a kernel's live bridge), not to a forked worker.
    listeners, _change_listeners[:] = list(_change_listeners), []
    for session in _sessions.values():
        for listener in listeners:
            session.store.remove_change_listener(listener)
        session.store.reset_after_fork()
        session.writer.reset_after_fork()
        session.pid = os.getpid()


atexit.register(_at_exit)
os.register_at_fork(after_in_child=_after_fork_in_child)
