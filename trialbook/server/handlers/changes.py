"""`GET changes?since=<cursor>&timeout=25`: a long-poll over the store's change feed.

Any writer of the store (a kernel, `python train.py`, another machine) appends to the
`changes` table; every waiting request sleeps on the process's one ChangeWatch
(server/change_watch.py) and re-reads the cursor when woken.
"""

from __future__ import annotations

import time

import tornado.web

from .. import payloads
from ..change_watch import change_watch
from .base import TrialbookHandler

DEFAULT_TIMEOUT = 25.0
MAX_TIMEOUT = 60.0
MAX_CHANGES = 1000


class ChangesHandler(TrialbookHandler):
    _closed = False

    def on_connection_close(self) -> None:
        self._closed = True

    @tornado.web.authenticated
    async def get(self) -> None:
        since = self.query_int("since", None, 0, None)
        timeout = self.query_float("timeout", DEFAULT_TIMEOUT, 0.0, MAX_TIMEOUT)
        latest, oldest = await self.read(self._cursors)
        if since is None:  # a new client: where the feed is now
            self._respond(latest, [], reset=False)
            return
        if since > latest or (oldest and since < oldest - 1):
            self._respond(latest, [], reset=True)
            return
        deadline = time.monotonic() + timeout
        watch = change_watch(self.store)
        while latest == since and not self._closed and time.monotonic() < deadline:
            await watch.wait(max(deadline - time.monotonic(), 0.0))
            latest = await self.read(self.store.latest_change_cursor)
        if self._closed:
            return
        if latest < since:  # the store was recreated while we waited
            self._respond(latest, [], reset=True)
            return
        changes = (
            await self.read(self.store.changes_since, since, MAX_CHANGES) if latest > since else []
        )
        cursor = changes[-1].seq if changes else since
        self._respond(cursor, [payloads.change(item.to_dict()) for item in changes], reset=False)

    def _cursors(self) -> tuple[int, int]:
        return self.store.latest_change_cursor(), self.store.oldest_change_cursor()

    def _respond(self, cursor: int, changes: list[payloads.Change], *, reset: bool) -> None:
        response: payloads.ChangesResponse = {"cursor": cursor, "changes": changes, "reset": reset}
        self.write_json(response)
