"""Every Trialbook handler must be authenticated: fail CI on any that is not."""

import warnings

import tornado.web
from jupyter_server.base.handlers import APIHandler

from trialbook.server.handlers import build_handlers


class UnauthenticatedHandler(APIHandler):
    def get(self):
        self.finish("{}")


def auth_warnings(web_app, handlers):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        web_app.add_handlers(".*$", handlers)
    return [str(warning.message) for warning in caught if "authenticated" in str(warning.message)]


def test_every_handler_is_authenticated(jp_serverapp):
    handlers = build_handlers(jp_serverapp.base_url)
    assert handlers, "the extension registers no handler"

    assert auth_warnings(jp_serverapp.web_app, handlers) == []


def test_the_check_catches_an_unauthenticated_handler(jp_serverapp):
    # The check above would be worthless if Jupyter Server stopped warning.
    found = auth_warnings(jp_serverapp.web_app, [("/tb-unauthenticated", UnauthenticatedHandler)])
    assert found and "UnauthenticatedHandler" in found[0]


def test_every_verb_of_every_handler_is_decorated(jp_serverapp):
    for _, handler in build_handlers(jp_serverapp.base_url):
        for verb in handler.SUPPORTED_METHODS:
            method = getattr(handler, verb.lower())
            if method is tornado.web.RequestHandler._unimplemented_method:
                continue
            if not method.__module__.startswith("trialbook."):
                # Inherited from Jupyter Server: OPTIONS answers CORS preflights, which
                # Jupyter deliberately allows without credentials.
                continue
            assert method.__code__.co_qualname.startswith("authenticated"), (
                f"{handler.__name__}.{verb.lower()} lacks @tornado.web.authenticated"
            )
