"""REST handlers under `<base_url>/trialbook/api/`. Every verb is authenticated.

Names travel percent-encoded in one path segment (they never hold `/`); lists are
repeated query parameters.
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from .artifacts import ArtifactContentHandler, ArtifactHandler
from .base import TrialbookHandler, UnknownRouteHandler
from .changes import ChangesHandler
from .experiments import (
    AllTrialsHandler,
    ExperimentHandler,
    ExperimentsHandler,
    TrialTableHandler,
)
from .metrics import MetricsHandler
from .trials import ComponentHandler, ComponentsHandler, TrialHandler
from .verdict import CoverageHandler, EvaluationHandler, TrialGroupsHandler

__all__ = ["TrialbookHandler", "build_handlers"]

_NAME = "([^/]+)"


def build_handlers(base_url: str) -> list[tuple[str, type[TrialbookHandler]]]:
    api = url_path_join(base_url, "trialbook", "api")
    return [
        (url_path_join(api, "experiments"), ExperimentsHandler),
        (url_path_join(api, "experiments", _NAME), ExperimentHandler),
        (url_path_join(api, "experiments", _NAME, "trials"), TrialTableHandler),
        (url_path_join(api, "experiments", _NAME, "evaluation"), EvaluationHandler),
        (url_path_join(api, "experiments", _NAME, "trial-groups"), TrialGroupsHandler),
        (url_path_join(api, "experiments", _NAME, "coverage"), CoverageHandler),
        (url_path_join(api, "trials"), AllTrialsHandler),
        (url_path_join(api, "trials", _NAME), TrialHandler),
        (url_path_join(api, "components"), ComponentsHandler),
        (url_path_join(api, "components", _NAME), ComponentHandler),
        (url_path_join(api, "metrics"), MetricsHandler),
        (url_path_join(api, "artifacts", _NAME), ArtifactHandler),
        (url_path_join(api, "artifacts", _NAME, "content"), ArtifactContentHandler),
        (url_path_join(api, "changes"), ChangesHandler),
        # Must stay last: a JSON 404 for anything else under the API.
        (url_path_join(api, "(.*)"), UnknownRouteHandler),
    ]
