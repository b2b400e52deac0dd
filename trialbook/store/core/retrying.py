"""Retrying an operation while the database is busy: jittered exponential backoff, 5 minutes."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

RETRY_SECONDS = 300.0


def retry(operation: Callable[[], T], is_transient: Callable[[Exception], bool]) -> T:
    """Run ``operation`` again while it fails with an error ``is_transient`` accepts."""
    deadline = time.monotonic() + RETRY_SECONDS
    delay = 0.005
    while True:
        try:
            return operation()
        except Exception as error:
            if not is_transient(error) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.5)
