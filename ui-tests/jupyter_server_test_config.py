"""Jupyter Server configuration for the Galata tests.

Galata's own settings (port 8888, no token, a temporary root directory) plus what
our machines need: root is allowed, deleting files bypasses the trash, and the
Trialbook store is a fresh SQLite file for every test run.
"""

import os
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.allow_root = True  # noqa: F821
c.FileContentsManager.delete_to_trash = False  # noqa: F821
c.ServerApp.allow_unauthenticated_access = False  # noqa: F821

# Each run gets its own store, exported to kernels as TRIALBOOK_STORE: a fresh SQLite
# file, or the store TRIALBOOK_UI_TEST_STORE names (scripts/test runs the live journeys
# again on a PostgreSQL schema of its throwaway cluster that way).
store_dir = Path(os.environ.get("TRIALBOOK_TEST_STORE_DIR") or tempfile.mkdtemp(prefix="tb-ui-"))
c.Trialbook.store = os.environ.get("TRIALBOOK_UI_TEST_STORE") or str(store_dir / "trialbook.db")  # noqa: F821
c.Trialbook.artifact_root = str(store_dir / "artifacts")  # noqa: F821

# A restarted kernel's trial turns Interrupted once its heartbeat is older than the
# stale limit: shorter than the defaults (5 s / 30 s) so the journey is quick,
# while still several heartbeats apart so a live trial never looks stale.
os.environ.setdefault("TRIALBOOK_HEARTBEAT_SECONDS", "1")
os.environ.setdefault("TRIALBOOK_STALE_SECONDS", "6")
