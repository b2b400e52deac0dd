"""One watch over the store's change feed per server process, shared by every pending
long-poll (`GET changes`): PostgreSQL pushes (one LISTEN connection, see
store/postgres/notify.py); SQLite is polled by one shared task while anyone waits, instead
of one poll per request. A wake-up only says "re-read the cursor": a missed or merged
notification loses nothing, and waiters also re-read every ``SAFETY_SECONDS``."""

from __future__ import annotations

import asyncio
import contextlib

from ..store import Store

POLL_SECONDS = 0.25
SAFETY_SECONDS = 5.0


class ChangeWatch:
    """Wakes every waiter of one event loop when the store's change feed may have moved."""

    def __init__(self, store: Store, *, poll: float = POLL_SECONDS) -> None:
        self.loop = asyncio.get_running_loop()
        self.store = store
        self._poll = poll
        self._waiters: set[asyncio.Future[None]] = set()
        self._poller: asyncio.Task[None] | None = None
        self.pushed = store.watch_changes(self._on_push)

    def _on_push(self, cursor: int | None) -> None:  # on the listener thread
        with contextlib.suppress(RuntimeError):  # the loop closed (server shutting down)
            self.loop.call_soon_threadsafe(self._wake_all)

    def _wake_all(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self, timeout: float) -> None:
        """Return when the feed may have moved, or after ``timeout`` seconds."""
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._waiters.add(waiter)
        if not self.pushed and (self._poller is None or self._poller.done()):
            self._poller = self.loop.create_task(self._poll_while_waited())
        try:
            await asyncio.wait_for(waiter, min(timeout, SAFETY_SECONDS))
        except asyncio.TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    async def _poll_while_waited(self) -> None:
        """SQLite: one cursor read per interval for all waiters; stops when nobody waits."""
        read = self.store.latest_change_cursor
        latest = await self.loop.run_in_executor(None, read)
        while self._waiters:
            await asyncio.sleep(self._poll)
            with contextlib.suppress(Exception):  # a busy store: try again next interval
                cursor = await self.loop.run_in_executor(None, read)
                if cursor != latest:
                    latest = cursor
                    self._wake_all()


_watches: dict[tuple[int, int], ChangeWatch] = {}


def change_watch(store: Store) -> ChangeWatch:
    """This event loop's watch over ``store`` (made on first use)."""
    loop = asyncio.get_running_loop()
    key = (id(store), id(loop))
    watch = _watches.get(key)
    if watch is None or watch.store is not store or watch.loop is not loop:
        watch = _watches[key] = ChangeWatch(store)
    return watch
