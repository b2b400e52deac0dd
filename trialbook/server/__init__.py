"""The Jupyter Server extension: an authenticated REST API over the store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import Trialbook
from .handlers import build_handlers

if TYPE_CHECKING:
    from jupyter_server.serverapp import ServerApp


def _load_jupyter_server_extension(server_app: ServerApp) -> None:
    """Read `c.Trialbook.*`, export the store to kernels, register the handlers."""
    config = Trialbook(config=server_app.config, parent=server_app)
    config.export_to_environment()
    web_app = server_app.web_app
    web_app.settings["trialbook_config"] = config
    web_app.add_handlers(".*$", build_handlers(web_app.settings["base_url"]))
    server_app.log.info("Trialbook store: %s", config.describe_store())
