"""Server-side configuration, exported to the kernels the server starts."""

from __future__ import annotations

import os

from traitlets import Unicode
from traitlets.config import Configurable

from ..store.location import resolve_store_location


class Trialbook(Configurable):
    """Configure with `c.Trialbook.store = "sqlite:////path/to/trialbook.db"`."""

    store = Unicode(
        None,
        allow_none=True,
        config=True,
        help=(
            "Where Trialbook keeps its data: a SQLite file path, a sqlite:/// URL or a "
            "postgresql:// URL. Defaults to $TRIALBOOK_STORE, else "
            "<jupyter data dir>/trialbook/trialbook.db. Exported to kernels as TRIALBOOK_STORE."
        ),
    )
    artifact_root = Unicode(
        None,
        allow_none=True,
        config=True,
        help=(
            "Folder holding logged artifact files. Defaults to $TRIALBOOK_ARTIFACT_ROOT, else "
            "an 'artifacts' folder beside the store. Exported as TRIALBOOK_ARTIFACT_ROOT."
        ),
    )

    def export_to_environment(self) -> None:
        """Kernels inherit the server's environment: make them use the same store."""
        # Relative paths (configured, or inherited from the server's own environment) are
        # resolved here, once, against the server's directory: a kernel started in a
        # subfolder must find the same store and artifact root.
        artifact_root = self.artifact_root or os.environ.get("TRIALBOOK_ARTIFACT_ROOT", "")
        if artifact_root.strip():
            root = os.path.abspath(os.path.expanduser(artifact_root.strip()))
            os.environ["TRIALBOOK_ARTIFACT_ROOT"] = root
        store = self.store or os.environ.get("TRIALBOOK_STORE", "")
        if store.strip():
            location = resolve_store_location(store.strip())
            os.environ["TRIALBOOK_STORE"] = str(location.path or location.url)

    def describe_store(self) -> str:
        return resolve_store_location().describe()
