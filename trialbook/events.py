"""A tap on the metric points this process logs, for live views (the kernel bridge).

`Tracker.log_metric` hands each point to `point_tap` before it is durable, so a chart can
show it at once. With nothing attached the cost is one module attribute read per call.
Everything else a live view needs comes from the store's change listeners
(`Store.add_change_listener`): those writes are synchronous.
"""

from __future__ import annotations

from collections.abc import Callable

#: (component, metric, step, wall time, value) → None; must be quick and thread-safe.
PointTap = Callable[[str, str, int, float, float], None]

point_tap: PointTap | None = None


def set_point_tap(tap: PointTap | None) -> None:
    global point_tap
    point_tap = tap
