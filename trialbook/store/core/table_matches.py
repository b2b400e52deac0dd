"""The ordered ids of the trials a table query keeps, cached in the process per store, query
and change cursor, so that scrolling, jumping and re-paging with the same filter and sort
is a slice of ids and one fetch of the page's rows, not a new pass over every trial.

A query's matches and order change only with a write, and every write appends to the change
feed in its transaction: an entry is used only at the very cursor it was computed at (read
in the same transaction as the page), so any write anywhere in the store recomputes it.
What depends on the clock (a trial's derived status: a stale heartbeat reads Interrupted)
is never cached. 100,000 ids take 800 KB; the cache keeps the few latest queries, and at
most ``_MAX_IDS`` ids in all.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from trialbook.store.core.transaction import Transaction

_MAX_ENTRIES = 8
_MAX_IDS = 2_000_000

_entries: OrderedDict[Hashable, tuple[int, array[int]]] = OrderedDict()
_ids_held = 0
_lock = threading.Lock()


def ordered_ids(tx: Transaction, key: Hashable, compute: Callable[[], Iterable[int]]) -> array[int]:
    """The ids ``compute`` lists for ``key`` (a query over one store), cached until the
    store's next write."""
    cursor = int(tx.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
    with _lock:
        found = _entries.get(key)
        if found is not None and found[0] == cursor:
            _entries.move_to_end(key)
            return found[1]
    ids = array("q", compute())
    _keep(key, cursor, ids)
    return ids


def _keep(key: Hashable, cursor: int, ids: array[int]) -> None:
    global _ids_held
    if len(ids) > _MAX_IDS:
        return
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _ids_held -= len(old[1])
        _entries[key] = (cursor, ids)
        _ids_held += len(ids)
        while len(_entries) > _MAX_ENTRIES or _ids_held > _MAX_IDS:
            _, (_, dropped) = _entries.popitem(last=False)
            _ids_held -= len(dropped)


def clear() -> None:
    """Forget every cached query (tests, benchmarks measuring the first read)."""
    global _ids_held
    with _lock:
        _entries.clear()
        _ids_held = 0
