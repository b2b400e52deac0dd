"""Trialbook: experiment tracking that lives inside JupyterLab."""

from __future__ import annotations

try:  # written from package.json's version by the build (hatch's version hook)
    from trialbook._version import __version__
except ImportError:  # a source tree that was never built
    __version__ = "0.0.0+unknown"

from trialbook.analytics import ExperimentAnalytics, search_trials
from trialbook.component import TrialComponent
from trialbook.errors import (
    AlreadyExistsError,
    NotFoundError,
    TrialbookError,
    ValidationError,
)
from trialbook.experiment import Experiment
from trialbook.status import TrialStatus
from trialbook.store import flush_all
from trialbook.tracker import Tracker
from trialbook.trial import Trial
from trialbook.variables import Choice, Range

__all__ = [
    "AlreadyExistsError",
    "Choice",
    "Experiment",
    "ExperimentAnalytics",
    "NotFoundError",
    "Range",
    "Tracker",
    "Trial",
    "TrialComponent",
    "TrialStatus",
    "TrialbookError",
    "ValidationError",
    "__version__",
    "flush",
    "search_trials",
]


def flush() -> None:
    """Write every buffered metric point to the store now."""
    flush_all()


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "trialbook"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    # The server side lives in its own subpackage so that importing the kernel
    # library never imports Jupyter Server.
    return [{"module": "trialbook.server"}]


# Inside a Jupyter kernel, announce writes live to JupyterLab (a no-op anywhere else).
from trialbook.kernel import attach_to_kernel as _attach_to_kernel  # noqa: E402

_attach_to_kernel()
