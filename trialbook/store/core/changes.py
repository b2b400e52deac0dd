"""The change feed: every write transaction appends rows (``Transaction.record_change``);
readers follow it by cursor (the ``seq`` of the last row they saw). Only the latest
``settings.changes_kept()`` rows are kept: a reader whose cursor fell behind the oldest one
is told to reset (``GET changes``)."""

from __future__ import annotations

import json

from trialbook import settings
from trialbook.store.core.records import Change
from trialbook.store.core.transaction import Transaction


def since(tx: Transaction, cursor: int, limit: int) -> list[Change]:
    rows = tx.execute(
        "SELECT seq, time, kind, entity_type, entity_name, experiment_name, payload"
        " FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
        (int(cursor), int(limit)),
    )
    return [Change(*row[:6], payload=json.loads(row[6])) for row in rows]


def latest_cursor(tx: Transaction) -> int:
    return int(tx.scalar("SELECT coalesce(max(seq), 0) FROM changes"))


def oldest_cursor(tx: Transaction) -> int:
    return int(tx.scalar("SELECT coalesce(min(seq), 0) FROM changes"))


def prune(tx: Transaction) -> None:
    """Delete the rows older than the kept window, set-wise, whenever this transaction's
    changes cross a multiple of a tenth of the window (at most every 1,000 rows): the feed
    holds between ``kept`` and ``kept`` + a tenth rows, and most writes do no extra work."""
    if not tx.changes:
        return
    kept = settings.changes_kept()
    every = max(1, min(1_000, kept // 10))
    first, last = tx.changes[0].seq, tx.changes[-1].seq
    if (first - 1) // every != last // every and last > kept:
        tx.execute("DELETE FROM changes WHERE seq <= ?", (last - kept,))
