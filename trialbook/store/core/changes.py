"""Reading the change feed: every write transaction appends rows (``Transaction.record_change``);
readers follow it by cursor (the ``seq`` of the last row they saw)."""

from __future__ import annotations

import json

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
