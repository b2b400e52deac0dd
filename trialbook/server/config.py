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
        if self.store:
            os.environ["TRIALBOOK_STORE"] = self.store
        if self.artifact_root:
            os.environ["TRIALBOOK_ARTIFACT_ROOT"] = self.artifact_root

    def describe_store(self) -> str:
        return resolve_store_location().describe()
