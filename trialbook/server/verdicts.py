"""Verdicts for experiment payloads, cached so `GET experiments` stays cheap.

A verdict is recomputed only when its experiment changed: the cache key holds the
objective, the trial count, the status counts and the experiment's last activity (every
write touching the experiment moves it), so writes to other experiments cost nothing. While
trials only log metrics (the last activity moves, nothing else), the verdict is recomputed
at most every ACTIVITY_SECONDS: it counts completed trials only, so it rarely changes then;
a trial changing status recomputes it at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from ..store import Store
from ..variables import space_from_json

log = logging.getLogger(__name__)

ACTIVITY_SECONDS = 5.0


class VerdictCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (store, experiment) → (definition stamp, last activity, computed at, verdict)
        self._entries: dict[tuple[str, str], tuple[Any, Any, float, str | None]] = {}

    def verdicts(self, store: Store, rows: Sequence[dict[str, Any]]) -> dict[str, str | None]:
        """Experiment name → verdict (None for an experiment that states no claim)."""
        return {row["name"]: self.verdict(store, row) for row in rows}

    def verdict(self, store: Store, row: dict[str, Any]) -> str | None:
        objective = row.get("objective") or {}
        if not objective.get("variable"):
            return None
        stamp = (
            json.dumps(objective, sort_keys=True),
            row.get("trial_count"),
            tuple(sorted((row.get("status_counts") or {}).items())),
        )
        activity = row.get("last_activity")
        key = (str(getattr(store, "location", id(store))), row["name"])
        now = time.monotonic()
        with self._lock:
            cached = self._entries.get(key)
        fresh = cached is not None and (cached[1] == activity or now - cached[2] < ACTIVITY_SECONDS)
        if cached is not None and cached[0] == stamp and fresh:
            return cached[3]
        verdict = _compute(row)
        with self._lock:
            self._entries[key] = (stamp, activity, now, verdict)
        return verdict


def _compute(row: dict[str, Any]) -> str | None:
    try:
        from ..evaluation import evaluate  # numpy and scipy: only for experiments with a claim

        space = space_from_json(row.get("variables"))
        return evaluate(row["name"], row.get("objective"), space).verdict
    except Exception:  # a verdict must never break the experiment list
        log.exception("Trialbook could not evaluate the claim of %r", row["name"])
        return None


#: One cache per server process.
verdict_cache = VerdictCache()
