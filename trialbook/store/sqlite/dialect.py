"""SQLite's SQL: the core's defaults are already SQLite's spelling (``?`` placeholders,
``json_each``/``json_remove``, ``instr``), so this dialect only names itself."""

from __future__ import annotations

from trialbook.store.core.backend import Dialect


class SqliteDialect(Dialect):
    name = "sqlite"
