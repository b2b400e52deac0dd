"""`GET metrics`: many series in one call, downsampled in the store keeping the extremes."""

from __future__ import annotations

import math

import tornado.web

from .. import payloads
from .base import BadParameter, TrialbookHandler

DEFAULT_MAX_POINTS = 1000
MAX_POINTS_RANGE = (10, 100_000)
MAX_SERIES = 2000
MAX_REQUEST_POINTS = 1_000_000  # series × max_points: ~25 MB of JSON; the UI asks ≤ 200,000


class MetricsHandler(TrialbookHandler):
    """`?trial=a&trial=b&component=c&name=loss&name=acc&x=step|time&max_points=N&x_min=&x_max=`.

    One series per (owner, metric) that exists; a trial's metric key may be
    `<display_name>/<metric>` when two of its components log the same metric.
    """

    @tornado.web.authenticated
    async def get(self) -> None:
        trials = self.query_list("trial")
        components = self.query_list("component")
        names = self.query_list("name")
        if not trials and not components:
            raise BadParameter("trial", "give at least one trial (or component) name")
        if not names:
            raise BadParameter("name", "give at least one metric name")
        x_axis = self.query_choice("x", ("step", "time"), "step")
        max_points = self.query_int("max_points", DEFAULT_MAX_POINTS, *MAX_POINTS_RANGE)
        x_min, x_max = self._query_x("x_min", x_axis), self._query_x("x_max", x_axis)
        if x_min is not None and x_max is not None and x_min > x_max:
            raise BadParameter("x_min", f"{x_min:g} is greater than x_max ({x_max:g})")
        requests = [("trial", trial, name) for trial in trials for name in names]
        requests += [("component", component, name) for component in components for name in names]
        if len(requests) > MAX_SERIES:
            raise BadParameter(
                "trial", f"{len(requests)} series requested; ask for at most {MAX_SERIES} at once"
            )
        if len(requests) * max_points > MAX_REQUEST_POINTS:
            raise BadParameter(
                "max_points",
                f"{len(requests):,} series × max_points {max_points:,} = "
                f"{len(requests) * max_points:,} points; one request may ask for at most "
                f"{MAX_REQUEST_POINTS:,}: ask for fewer series or a smaller max_points",
            )
        body = await self.read(
            self._response, requests, max_points, x_axis, x_min, x_max
        )  # reading and encoding megabytes must not stall the server's event loop
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(body)

    def _response(
        self,
        requests: list[tuple[str, str, str]],
        max_points: int,
        x_axis: str,
        x_min: float | None,
        x_max: float | None,
    ) -> str:
        found = self.store.metric_series(
            requests,  # type: ignore[arg-type]
            max_points=max_points,
            x=x_axis,  # type: ignore[arg-type]
            x_min=x_min,
            x_max=x_max,
        )
        series: list[payloads.MetricSeries] = [
            {
                "trial": item.owner_name if item.owner_kind == "trial" else None,
                "component": item.component_name,
                "metric": item.metric,
                "total_count": item.total_count,
                "window_count": item.window_count,
                "downsampled": item.downsampled,
                "x": item.steps if x_axis == "step" else item.times,
                "y": _json_values(item.values),
            }
            for item in found
        ]
        response: payloads.MetricSeriesResponse = {
            "x": x_axis,  # type: ignore[typeddict-item]
            "max_points": max_points or DEFAULT_MAX_POINTS,
            "x_min": x_min,
            "x_max": x_max,
            "series": series,
        }
        return payloads.dumps(response)

    def _query_x(self, name: str, x_axis: str) -> float | None:
        """A window bound in the units of `x` (a step, or epoch seconds), finite."""
        raw = self.query_one(name)
        if raw is None:
            return None
        unit = "a step number" if x_axis == "step" else "a wall time in epoch seconds"
        try:
            value = float(raw)
        except ValueError:
            raise BadParameter(name, f"{raw!r} is not a number; give {unit}") from None
        if not math.isfinite(value):
            raise BadParameter(name, f"{raw!r} is not a finite number; give {unit}")
        return value


def _json_values(values: list[float]) -> list[payloads.Number]:
    total = sum(values)
    if total - total == 0.0:  # every value finite (NaN and ±inf propagate into the sum)
        return values
    return [payloads.number(value) for value in values]
