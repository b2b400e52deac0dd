"""SQLite's SQL: the core's defaults are already SQLite's spelling (``?`` placeholders,
``json_each``/``json_remove``, ``instr``); only the per-group extremes differ."""

from __future__ import annotations

from trialbook.store.core.backend import Dialect


class SqliteDialect(Dialect):
    name = "sqlite"

    def group_extremes(self, source: str, group: str, has_nan: bool) -> str:
        # SQLite's bare columns beside min()/max() come from the row holding the extreme
        # (its first one on ties): one aggregate pass, ~2.5x faster than row_number().
        parts = [
            f"SELECT {stat}_seq, {stat}_step, {stat}_time, {stat}({stat}_value) FROM {source}"
            f" WHERE {stat}_value IS NOT NULL GROUP BY {group}"
            for stat in ("min", "max")
        ]
        if has_nan:
            parts.append(
                f"SELECT min(nan_seq), nan_step, nan_time, NULL FROM {source}"
                f" WHERE nan_seq IS NOT NULL GROUP BY {group}"
            )
        return " UNION ALL ".join(parts)
