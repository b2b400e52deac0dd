"""Live buffers of the metric points this process logs, for live views (the kernel bridge).

While a view is attached, `live` holds a `LiveBuffers`; `Tracker.log_metric` appends each
point to that series' list before the point is durable, so a chart can show it at once.
With nothing attached the cost is one module attribute read per call. Everything else a
live view needs comes from the store's change listeners (`Store.add_change_listener`):
those writes are synchronous.
"""

from __future__ import annotations

import threading

#: (step, wall time, value), as the metric writer buffers it.
Point = tuple[int, float, float]


class LiveBuffers:
    """One list of points per (component, metric), appended by trackers, drained by a view.

    Appending takes no lock: `list.append`, `lst[:n]` and `del lst[:n]` are each atomic,
    so a point appended while `drain` runs lands after the drained prefix and is kept.
    """

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], list[Point]] = {}
        self._lock = threading.Lock()

    def series(self, component: str, metric: str) -> list[Point]:
        """The list a tracker appends this series' points to."""
        with self._lock:
            return self._series.setdefault((component, metric), [])

    def drain(self) -> list[tuple[str, str, list[Point]]]:
        """Every point appended since the last drain, per series, in logging order."""
        with self._lock:
            items = list(self._series.items())
        drained = []
        for (component, metric), points in items:
            count = len(points)
            if count:
                taken = points[:count]
                del points[:count]
                drained.append((component, metric, taken))
        return drained


live: LiveBuffers | None = None


def set_live(buffers: LiveBuffers | None) -> None:
    global live
    live = buffers
