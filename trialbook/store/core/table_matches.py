"""The ordered ids of the trials a table query keeps, cached in the process per store, query
and change cursor, so that scrolling, jumping and re-paging with the same filter and sort
is a slice of ids and one fetch of the page's rows, not a new pass over every trial.

Three kinds of lists are kept: a filter's matches (creation order), a sort key's order of
every trial in scope, and a filter's matches in a sort's order. The last one comes from the
first two when either is at hand (the other is one pass over the trials, the intersection a
few ms in Python), so a new query under the current sort, or a new sort of the current
query, evaluates only what changed; with neither, from one pass, whose ids are also kept as
the filter's matches.

A query's matches and order change only with a write, and every write appends to the change
feed in its transaction: a list is used only at the very cursor it was computed at (read in
the same transaction as the page), so any write anywhere in the store recomputes it. What
depends on the clock (a trial's derived status: a stale heartbeat reads Interrupted) must
not come here (``table.py`` keeps it out). 100,000 ids take 800 KB; the cache keeps the
latest ``_MAX_ENTRIES`` lists, and at most ``_MAX_IDS`` ids in all.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from trialbook.store.core.transaction import Transaction

_MAX_ENTRIES = 8
_MAX_IDS = 2_000_000

_entries: OrderedDict[Hashable, tuple[int, array[int]]] = OrderedDict()
_ids_held = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class MatchQuery:
    """A table query as SQL over trials ``t``: the trials in scope (the experiments), the
    filter beyond it (None: every trial in scope) and the sort key (None: creation order)."""

    store: Hashable  # tells stores (and experiments of the same id) apart
    scope: str
    scope_parameters: tuple[Any, ...]
    where: str | None
    parameters: tuple[Any, ...]
    key: str | None
    key_parameters: tuple[Any, ...]
    descending: bool


def ordered_ids(tx: Transaction, query: MatchQuery) -> array[int]:
    """The ids of the trials ``query`` keeps, in its order, ties by id."""
    cursor = int(tx.scalar("SELECT coalesce(max(seq), 0) FROM changes"))
    direction = "DESC" if query.descending else "ASC"
    scope = (query.store, query.scope, query.scope_parameters)
    matches_key = (*scope, query.where, query.parameters)
    order_key = (*scope, query.key, query.key_parameters, direction)

    def run(sql: str, parameters: Sequence[Any]) -> array[int]:
        return array("q", [row[0] for row in tx.execute(sql, parameters)])

    def matches() -> array[int]:
        return _get_or(
            matches_key,
            cursor,
            lambda: run(
                f"SELECT t.id FROM trials t WHERE {query.scope} AND {query.where} ORDER BY t.id",
                [*query.scope_parameters, *query.parameters],
            ),
        )

    def order() -> array[int]:
        return _get_or(
            order_key,
            cursor,
            lambda: run(
                f"SELECT id FROM (SELECT t.id AS id, {query.key} AS k FROM trials t"
                f" WHERE {query.scope}) page ORDER BY k {direction} NULLS LAST, id {direction}",
                [*query.key_parameters, *query.scope_parameters],
            ),
        )

    if query.key is None:
        found = matches()
        return array("q", reversed(found)) if query.descending else found
    if query.where is None:
        return order()
    both_key = (*matches_key, query.key, query.key_parameters, direction)
    found = _get(both_key, cursor)
    if found is not None:
        return found
    if _get(matches_key, cursor) is None and _get(order_key, cursor) is None:
        found = run(
            f"SELECT id FROM (SELECT t.id AS id, {query.key} AS k FROM trials t"
            f" WHERE {query.scope} AND {query.where}) page"
            f" ORDER BY k {direction} NULLS LAST, id {direction}",
            [*query.key_parameters, *query.scope_parameters, *query.parameters],
        )
        _keep(matches_key, cursor, array("q", sorted(found)))
    else:
        kept = set(matches())
        found = array("q", [trial_id for trial_id in order() if trial_id in kept])
    _keep(both_key, cursor, found)
    return found


def _get(key: Hashable, cursor: int) -> array[int] | None:
    with _lock:
        found = _entries.get(key)
        if found is None or found[0] != cursor:
            return None
        _entries.move_to_end(key)
        return found[1]


def _get_or(key: Hashable, cursor: int, compute: Callable[[], array[int]]) -> array[int]:
    found = _get(key, cursor)
    if found is None:
        found = compute()
        _keep(key, cursor, found)
    return found


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
    """Forget every cached list (tests, benchmarks measuring the first read)."""
    global _ids_held
    with _lock:
        _entries.clear()
        _ids_held = 0
