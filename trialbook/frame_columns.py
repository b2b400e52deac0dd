"""DataFrame columns from the store's pivot cells (``store/core/pivot.py``), with numpy: a
parameter's values decoded by kind, a metric's summary statistics computed from its stored
accumulators for every row at once. Each column has the values and dtype that
``pandas.DataFrame(list_of_dicts)`` gives the same rows (``frames.py``): NaN where a row has
no value, a float column holding None as NaN, an all-None column of objects."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from trialbook.store.core.records import GridCells, PivotColumns
from trialbook.store.core.vocabulary import TRIAL_METRIC_STATS

if TYPE_CHECKING:
    import numpy
    import pandas

MISSING = float("nan")
#: ``Dialect.parameter_cells``' kind codes.
FLOAT, INT, STR, BOOL = 0, 1, 2, 3


def parameter_columns(columns: PivotColumns) -> dict[str, numpy.ndarray | list[Any]]:
    """Each parameter's values from its cells (kind, value[, text]): float64 when every
    value is a float (the common case: no Python per value), else the decoded values."""
    import numpy

    found: dict[str, numpy.ndarray | list[Any]] = {}
    if columns.grid is not None:  # every value a float
        matrix = _grid_matrix(columns.grid, columns.width)
        return {name: matrix[:, k, 0] for k, name in enumerate(columns.grid.names)}
    for rows, offsets in columns.blocks:
        matrix = _floats(rows)
        for name, offset in offsets.items():
            if matrix is not None:
                kinds = matrix[:, offset]
                if numpy.all((kinds == FLOAT) | numpy.isnan(kinds)):
                    found[name] = matrix[:, offset + 1]  # NaN: a NaN or no value, both NaN
                    continue
            cells = (map(itemgetter(offset + k), rows) for k in range(columns.width))
            found[name] = [_decoded(*cell) for cell in zip(*cells, strict=True)]
    return found


def _floats(rows: list[tuple[Any, ...]]) -> numpy.ndarray | None:
    """The rows as one float64 matrix (None as NaN), or None when a cell is text."""
    import numpy

    try:
        return numpy.array(rows, dtype=numpy.float64)
    except (TypeError, ValueError):
        return None


def _grid_matrix(grid: GridCells, width: int) -> numpy.ndarray:
    """The grid's cells as float64 (frame rows, names, ``width``), NaN for None and where a
    row has no component."""
    import numpy

    def cells() -> Iterable[tuple[Any, ...]]:
        return map(itemgetter(slice(grid.offset, None)), grid.rows) if grid.offset else grid.rows

    names = len(grid.names)
    try:  # no tuple or list per row: 2,000,000 cells in 0.08 s
        flat = numpy.fromiter(chain.from_iterable(cells()), numpy.float64, len(grid.rows) * width)
    except TypeError:  # a None: a NaN parameter, a series without points
        flat = numpy.array(list(cells()), dtype=numpy.float64)
    matrix = flat.reshape(-1, names, width)
    if grid.blocks is not None:
        missing = len(matrix)
        index = numpy.array([missing if b is None else b for b in grid.blocks], dtype=numpy.intp)
        empty = numpy.full((1, names, width), numpy.nan)
        matrix = numpy.concatenate([matrix, empty])[index]
    return matrix


def _decoded(kind: int | None, value: Any, text: str | None = None) -> Any:
    if kind is None:
        return MISSING
    if kind == FLOAT:
        return MISSING if value is None else value
    if kind == INT:
        return int(text) if text is not None else int(value)
    if kind == BOOL:
        return bool(value)
    return text if text is not None else value


def metric_columns(
    columns: PivotColumns,
) -> dict[str, dict[str, tuple[numpy.ndarray, numpy.ndarray]]]:
    """Each metric's ``metric_stats`` from its ACCUMULATORS cells."""
    if columns.grid is not None:
        cells = _grid_matrix(columns.grid, columns.width)
        return {name: metric_stats(cells[:, k].T) for k, name in enumerate(columns.grid.names)}
    found = {}
    for rows, offsets in columns.blocks:
        matrix = _floats(rows)
        assert matrix is not None  # accumulators are numbers
        for name, offset in offsets.items():
            found[name] = metric_stats(matrix[:, offset : offset + columns.width].T)
    return found


def metric_stats(cells: numpy.ndarray) -> dict[str, tuple[numpy.ndarray, numpy.ndarray]]:
    """TRIAL_METRIC_STATS → (values, where the value is None) of a metric from its
    ACCUMULATORS cells (float64, NaN where a row has no such metric), by the rules of
    ``vocabulary.summary_stats``: NaN skipped, ±inf counted, population standard
    deviation, ``last`` NaN when the last point was NaN."""
    import numpy

    count, finite, pos_inf, neg_inf, mean, m2, minimum, maximum, last_step, last = cells
    present = ~numpy.isnan(count)
    has_pos, has_neg, has_finite = pos_inf > 0, neg_inf > 0, finite > 0
    has_inf = has_pos | has_neg
    infinite_average = numpy.where(
        has_pos & has_neg, numpy.nan, numpy.where(has_pos, numpy.inf, -numpy.inf)
    )
    with numpy.errstate(invalid="ignore", divide="ignore"):
        deviation = numpy.where(m2 > 0, numpy.sqrt(m2 / finite), 0.0)
    average = numpy.where(has_inf, infinite_average, numpy.where(has_finite, mean, numpy.nan))
    stddev = numpy.where(has_inf, numpy.nan, numpy.where(has_finite, deviation, numpy.nan))
    no_average = present & ~has_inf & ~has_finite
    stats = {
        "min": (minimum, present & numpy.isnan(minimum)),
        "max": (maximum, present & numpy.isnan(maximum)),
        "avg": (average, no_average),
        "stddev": (stddev, no_average),
        "last": (last, present & numpy.isnan(last_step)),
        "count": (count, numpy.zeros(len(count), dtype=bool)),
    }
    assert tuple(stats) == TRIAL_METRIC_STATS
    return stats


def stat_column(
    stat: str, values: numpy.ndarray, none: numpy.ndarray, present: numpy.ndarray
) -> numpy.ndarray | list[Any]:
    """The column pandas builds from the list of these values (None where ``none``, NaN
    where not ``present``): counts are int64 when every row has one, a column of None
    only is objects, anything else float64."""
    import numpy

    if present.all():
        if stat == "count":
            return values.astype(numpy.int64)
        if none.all():
            return [None] * len(values)
    return values


def datetime_column(epochs: list[float | None]) -> pandas.Series | list[None]:
    """Epoch seconds (None: no time) as the column pandas builds from ``values.to_datetime``
    of each (``datetime.fromtimestamp`` in UTC): microseconds rounded as CPython rounds
    them (the fraction half-to-even, then carried), NaT for None, objects when all None."""
    import numpy
    import pandas

    seconds = numpy.array(epochs, dtype=numpy.float64)
    missing = numpy.isnan(seconds)
    if missing.all():
        return [None] * len(epochs)
    whole = numpy.trunc(numpy.where(missing, 0.0, seconds))
    micros = numpy.rint((numpy.where(missing, 0.0, seconds) - whole) * 1e6)
    carry = micros >= 1e6
    borrow = micros < 0
    micros = numpy.where(carry, micros - 1e6, numpy.where(borrow, micros + 1e6, micros))
    whole = whole + carry - borrow
    stamps = (whole.astype(numpy.int64) * 1_000_000 + micros.astype(numpy.int64)).astype(
        "datetime64[us]"
    )
    stamps[missing] = numpy.datetime64("NaT")
    return pandas.Series(stamps).dt.tz_localize("UTC")
