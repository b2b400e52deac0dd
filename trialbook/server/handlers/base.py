"""The base handler: JSON responses, JSON errors, query and body validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from tornado.ioloop import IOLoop

from ...errors import (
    AlreadyExistsError,
    NotFoundError,
    QueryError,
    StoreError,
    TrialbookError,
    ValidationError,
)
from ...store import Store, open_store
from .. import payloads

T = TypeVar("T")
INT64_MAX = 2**63 - 1  # SQLite's integers: anything larger cannot be looked up


class BadParameter(tornado.web.HTTPError):
    """A 400 naming the parameter and what it accepts."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(400, "Bad parameter %r: %s", parameter, problem)
        self.parameter = parameter


class BadQuery(BadParameter):
    """A 400 for a query (``q``) that did not parse or names what does not exist: the body
    adds ``parameter`` and ``query_error`` (message, offset, end, line, column) so a query
    bar can underline the problem."""

    def __init__(self, error: QueryError) -> None:
        super().__init__("q", str(error))
        self.query_error = error


class TrialbookHandler(APIHandler):
    """Base: JSON responses and JSON errors that say what went wrong."""

    @property
    def store(self) -> Store:
        return open_store()

    async def read(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call off the event loop."""
        return await IOLoop.current().run_in_executor(None, lambda: function(*args, **kwargs))

    def compute_etag(self) -> str | None:
        # Responses change with every write and can be megabytes: skip hashing each one.
        return None

    def write_json(self, payload: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payloads.dumps(payload))

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        """A refused request (bad input, not found, conflict) is one log line, not a
        traceback: the traceback is for errors of the server itself."""
        if isinstance(value, TrialbookError) and isinstance(
            value, (NotFoundError, AlreadyExistsError, ValidationError)
        ):
            self.log.warning(
                "%s %s refused: %s", self.request.method, self.request.path, str(value)[:500]
            )
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, NotFoundError):
            status_code = 404
        elif isinstance(error, AlreadyExistsError):
            status_code = 409
        elif isinstance(error, ValidationError):
            status_code = 400
        elif isinstance(error, StoreError):  # the store's file or disk: not the request's fault
            status_code = 503
        if isinstance(error, TrialbookError):
            message = str(error)
        elif isinstance(error, tornado.web.HTTPError):
            message = (error.log_message % error.args) if error.args else error.log_message
            message = message or self._reason
        else:
            message = self._reason
        body: dict[str, Any] = {"message": message, "reason": self._reason}
        if isinstance(error, BadParameter):
            body["parameter"] = error.parameter
        if isinstance(error, BadQuery):
            body["query_error"] = error.query_error.to_dict()
        self.clear_header("Content-Disposition")
        self.set_status(status_code)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payloads.dumps(body))

    # -- path and query parameters ---------------------------------------------------------
    def query_list(self, name: str) -> list[str]:
        return [value for value in self.get_query_arguments(name) if value != ""]

    def query_one(self, name: str, default: str | None = None) -> str | None:
        values = self.get_query_arguments(name)
        if len(values) > 1:
            raise BadParameter(name, "give it at most once")
        return values[0] if values and values[0] != "" else default

    def query_int(self, name: str, default: int | None, low: int, high: int | None) -> int | None:
        raw = self.query_one(name)
        if raw is None:
            return default
        high = INT64_MAX if high is None else high
        allowed = f"an integer from {low} to {high}"
        try:
            value = int(raw)
        except ValueError:
            raise BadParameter(name, f"{raw[:40]!r} is not {allowed}") from None
        if value < low or value > high:
            raise BadParameter(name, f"{raw[:40]} is out of range; give {allowed}")
        return value

    def query_float(self, name: str, default: float, low: float, high: float) -> float:
        raw = self.query_one(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise BadParameter(name, f"{raw!r} is not a number of seconds") from None
        if value != value:
            raise BadParameter(name, "NaN is not a number of seconds")
        return min(max(value, low), high)

    def query_choice(self, name: str, choices: Collection[str], default: str) -> str:
        value = self.query_one(name, default)
        if value not in choices:
            raise BadParameter(name, f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value  # type: ignore[return-value]

    async def delete_by_rules(
        self, delete: Callable[..., None], name: str, *, force_argument: str = "force"
    ) -> None:
        """DELETE with the Python API's rules: a refusal is a 409 saying to add ?force=true."""
        force = self.query_bool("force")
        try:
            await self.read(delete, name, **{force_argument: force})
        except ValidationError as refused:
            raise tornado.web.HTTPError(
                409, "%s Over REST: DELETE with ?force=true.", refused
            ) from None
        self.set_status(204)
        self.finish()

    def query_bool(self, name: str) -> bool:
        value = (self.query_one(name, "false") or "false").lower()
        if value not in ("true", "false", "1", "0"):
            raise BadParameter(name, f"{value!r} is not true or false")
        return value in ("true", "1")

    def json_body(self, allowed: Collection[str]) -> dict[str, Any]:
        """The request's JSON object, refusing unknown fields."""
        try:
            body = json.loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise tornado.web.HTTPError(400, "The request body is not JSON: %s", error) from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(
                400, "The request body must be a JSON object with any of: %s", ", ".join(allowed)
            )
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise tornado.web.HTTPError(
                400,
                "Cannot change %s; changeable fields: %s",
                ", ".join(unknown),
                ", ".join(allowed),
            )
        if not body:
            raise tornado.web.HTTPError(
                400, "Nothing to change; give any of: %s", ", ".join(allowed)
            )
        return body


class UnknownRouteHandler(TrialbookHandler):
    """Anything else under the API: a JSON 404 rather than Jupyter's HTML page."""

    @tornado.web.authenticated
    def get(self, path: str) -> None:
        raise tornado.web.HTTPError(404, "No Trialbook API endpoint at '%s'.", path)
