"""The ordered ids of the trials a table query keeps, cached in the process per store, query
and change cursor, so that scrolling, jumping and re-paging with the same filter and sort
is a slice of ids and one fetch of the page's rows, not a new pass over every trial.

Three kinds of lists are kept: a filter's matches (creation order), a sort key's order of
every trial in scope, and a filter's matches in a sort's order. The last one comes from the
first two when either is at hand (the other is one pass over the trials, the intersection a
few ms in Python), so a new query under the current sort, or a new sort of the current
query, evaluates only what changed; with neither, from one pass, whose ids are also kept as
the filter's matches.

A sort's first pages do not wait for its whole order: with nothing at hand, the page is read
with LIMIT (the database keeps only the top rows while it sorts; ~60 of ~110 ms at 100,000
trials in SQLite) and its total counted over the scope, and the whole order is listed after
the answer on a worker thread, in its own read transaction, so the next jump or query under
that sort is a slice again. A read that needs the order while the worker lists it waits for
that list instead of listing it twice.

A query's matches and order change only with a write, and every write appends to the change
feed in its transaction: a list is used only at the very cursor it was computed at (read in
the same transaction as the page), so any write anywhere in the store recomputes it. What
depends on the clock (a trial's derived status: a stale heartbeat reads Interrupted) must
not come here (``table.py`` keeps it out). 100,000 ids take 800 KB; the cache keeps the
latest ``_MAX_ENTRIES`` lists, and at most ``_MAX_IDS`` ids in all.
"""

from __future__ import annotations

import logging
import os
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from trialbook.store.core.changes import latest_cursor
from trialbook.store.core.transaction import Transaction

_MAX_ENTRIES = 8
_MAX_IDS = 2_000_000
#: A sorted page ending within this many rows is read with LIMIT when its order is not at hand.
_TOP_ROWS = 2_000

_entries: OrderedDict[Hashable, tuple[int, array[int]]] = OrderedDict()
_ids_held = 0
_lock = threading.Lock()
#: Orders being listed on the worker, by cache key, with the store they read.
_listing: dict[Hashable, tuple[Hashable, Future[None]]] = {}
_worker: ThreadPoolExecutor | None = None

#: Runs a body in a read transaction of its own (``SqlStore.read``).
Reader = Callable[[Callable[[Transaction], Any]], Any]

_log = logging.getLogger(__name__)


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


def page_ids(
    tx: Transaction,
    query: MatchQuery,
    offset: int,
    limit: int | None,
    reader: Reader | None = None,
) -> tuple[int, list[int]]:
    """(how many trials ``query`` keeps, the ids of the page at ``offset`` in its order).

    With a ``reader``, a sort's first page whose order is not at hand is read with LIMIT and
    the whole order listed on the worker through ``reader``."""
    cursor = latest_cursor(tx)
    if (
        reader is not None
        and query.key is not None
        and query.where is None
        and limit is not None
        and offset + limit <= _TOP_ROWS
        and _get(_order_key(query), cursor) is None
    ):
        sql, parameters = _sorted(replace(query, where=None))
        page = [
            row[0] for row in tx.execute(sql + tx.dialect.limit_offset(limit, offset), parameters)
        ]
        total = tx.scalar(
            f"SELECT count(*) FROM trials t WHERE {query.scope}", query.scope_parameters
        )
        _list_later(query, reader)
        return int(total), page
    ids = _ordered_ids(tx, query, cursor)
    end = None if limit is None else offset + limit
    return len(ids), ids[offset:end].tolist()


def _sorted(query: MatchQuery) -> tuple[str, list[Any]]:
    """The ids of the trials ``query`` keeps (its filter, if any), in its sort's order, ties
    by id: a statement and its parameters."""
    direction = "DESC" if query.descending else "ASC"
    where, parameters = query.scope, [*query.key_parameters, *query.scope_parameters]
    if query.where is not None:
        where, parameters = f"{where} AND {query.where}", [*parameters, *query.parameters]
    return (
        f"SELECT id FROM (SELECT t.id AS id, {query.key} AS k FROM trials t WHERE {where}) page"
        f" ORDER BY k {direction} NULLS LAST, id {direction}",
        parameters,
    )


def _order_key(query: MatchQuery) -> Hashable:
    """The cache key of ``query``'s sort order over every trial in scope."""
    scope = (query.store, query.scope, query.scope_parameters)
    return (*scope, query.key, query.key_parameters, query.descending)


def _ordered_ids(
    tx: Transaction, query: MatchQuery, cursor: int, *, on_worker: bool = False
) -> array[int]:
    """The ids of the trials ``query`` keeps, in its order, ties by id."""
    scope = (query.store, query.scope, query.scope_parameters)
    matches_key = (*scope, query.where, query.parameters)
    order_key = _order_key(query)

    def run(sql: str, parameters: Sequence[Any]) -> array[int]:
        return array("q", [row[0] for row in tx.execute(sql, parameters)])

    order_only = replace(query, where=None, parameters=())

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
        if not on_worker:
            _wait_for_listing(order_key)
        return _get_or(order_key, cursor, lambda: run(*_sorted(order_only)))

    if query.key is None:
        found = matches()
        return array("q", reversed(found)) if query.descending else found
    if query.where is None:
        return order()
    both_key = (*matches_key, query.key, query.key_parameters, query.descending)
    found = _get(both_key, cursor)
    if found is not None:
        return found
    if _get(matches_key, cursor) is None and _get(order_key, cursor) is None:
        found = run(*_sorted(query))
        _keep(matches_key, cursor, array("q", sorted(found)))
    else:
        kept = set(matches())
        found = array("q", [trial_id for trial_id in order() if trial_id in kept])
    _keep(both_key, cursor, found)
    return found


def _list_later(query: MatchQuery, reader: Reader) -> None:
    """List ``query``'s whole order on the worker (unless it is being listed already), in a
    read transaction of its own: kept at the change cursor that transaction sees."""
    global _worker
    key = _order_key(query)
    order_only = replace(query, where=None, parameters=())
    done: Future[None] = Future()  # set once the listing is over, whatever its outcome

    def list_order() -> None:
        try:
            reader(lambda tx: _ordered_ids(tx, order_only, latest_cursor(tx), on_worker=True))
        except Exception:  # the store closed or failed: the next read lists it itself
            _log.debug("listing a sort's order on the worker failed", exc_info=True)
        finally:
            finished()

    def finished() -> None:
        with _lock:
            if _listing.get(key, (None, None))[1] is done:
                del _listing[key]
        done.set_result(None)

    with _lock:
        if key in _listing:
            return
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialbook-order")
        _listing[key] = (query.store, done)
    try:
        _worker.submit(list_order)
    except RuntimeError:  # the interpreter is shutting down: no worker, no list
        finished()


def _wait_for_listing(key: Hashable) -> None:
    """Wait for the worker's list of ``key`` if it is being made (it may be at another cursor:
    the caller then lists its own)."""
    with _lock:
        listing = _listing.get(key)
    if listing is not None:
        listing[1].result()


def wait_for_store(store: Hashable | None = None) -> None:
    """Wait until the worker no longer reads ``store`` (closing it), or any store (None)."""
    with _lock:
        futures = [done for owner, done in _listing.values() if store in (None, owner)]
    for done in futures:
        done.result()


def _after_fork_in_child() -> None:
    """The worker thread does not exist in a forked child: start afresh."""
    global _worker, _lock
    _worker = None
    _lock = threading.Lock()
    _listing.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


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
    wait_for_store()
    with _lock:
        _entries.clear()
        _ids_held = 0
