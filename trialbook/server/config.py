"""Server-side configuration, exported to the kernels the server starts."""

from __future__ import annotations

import os

from traitlets import Unicode
from traitlets.config import Configurable

from ..store.location import (
    ARTIFACT_ROOT_VARIABLE,
    STORE_VARIABLE,
    absolute_setting,
    pin_environment,
    resolve_store_location,
)


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
        """Kernels inherit the server's environment: make them use the same store. A relative
        path is resolved here, against the server's folder, before it is exported: a kernel
        runs in its notebook's folder and would resolve it elsewhere."""
        if self.store:
            os.environ[STORE_VARIABLE] = absolute_setting(self.store)
        if self.artifact_root:
            os.environ[ARTIFACT_ROOT_VARIABLE] = absolute_setting(self.artifact_root)
        pin_environment()

    def describe_store(self) -> str:
        return resolve_store_location().describe()
