"""Fixtures for the server extension: a real Jupyter Server with Trialbook loaded."""

import asyncio
import json
from urllib.parse import quote, urlencode

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest


@pytest.fixture
def jp_asyncio_loop(_function_scoped_runner):
    """Serve on the loop pytest-asyncio runs each test on (`asyncio_mode = "auto"`).

    pytest-asyncio takes over coroutine tests before pytest-jupyter's hook sees them, so
    without this the server would listen on a loop that never runs while a test awaits.
    """
    loop = _function_scoped_runner.get_loop()
    asyncio.set_event_loop(loop)
    yield loop


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"trialbook": True},
            "allow_unauthenticated_access": False,
        }
    }


class ApiResponse:
    def __init__(self, response):
        self.code = response.code
        self.headers = response.headers
        self.raw = response.body or b""

    @property
    def body(self):
        return json.loads(self.raw)


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_http_port, jp_base_url, jp_auth_header):
    """`await api("GET", "trials", name, params=[("k", "v"), ...], body={...})`.

    Each path part is percent-encoded whole (names may hold any character but '/');
    params is a list of pairs so lists travel as repeated parameters. Never raises on
    an HTTP error: tests look at `.code` and the JSON `.body`.
    """

    async def fetch(method, *parts, params=(), body=None, timeout=30):
        path = "/".join(quote(str(part), safe="") for part in ("trialbook", "api", *parts))
        url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}{path}"
        if params:
            url += "?" + urlencode(list(params))
        request = HTTPRequest(
            url,
            method=method,
            headers=dict(jp_auth_header),
            body=None if body is None else (body if isinstance(body, str) else json.dumps(body)),
            allow_nonstandard_methods=True,
            request_timeout=timeout,
        )
        return ApiResponse(await AsyncHTTPClient().fetch(request, raise_error=False))

    return fetch
