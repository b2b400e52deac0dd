"""The SQLite backend: connections (WAL, busy timeout, fork safety, local disks only), its
dialect, its bulk-write path (multi-row INSERTs) and its schema migrations (``user_version``).

Other processes see its writes by polling the change feed's cursor (``changes.seq``).
"""

from trialbook.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
