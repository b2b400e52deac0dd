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

# Each run gets its own store, exported to kernels as TRIALBOOK_STORE.
store_dir = Path(os.environ.get("TRIALBOOK_TEST_STORE_DIR") or tempfile.mkdtemp(prefix="tb-ui-"))
c.Trialbook.store = str(store_dir / "trialbook.db")  # noqa: F821

# A restarted kernel's trial turns Interrupted once its heartbeat is older than the
# stale limit: shorter than the defaults (5 s / 30 s) so the journey is quick,
# while still several heartbeats apart so a live trial never looks stale.
os.environ.setdefault("TRIALBOOK_HEARTBEAT_SECONDS", "1")
os.environ.setdefault("TRIALBOOK_STALE_SECONDS", "6")
