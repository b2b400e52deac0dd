"""Values kept a row per (component, name) — parameters, metric series — read as one grid
when every component has the same names (a sweep's all do): the cells alone, in the index
order (component id, name), which the frame reshapes with numpy. No join a name, no empty
cells: 100,000 components × 20 float parameters in 0.6 s on SQLite where the pivot
(``pivot.py``) steps 2,000,000 index probes (1.6 s).

Each read checks that every component has the same names; otherwise it gives None, and
the caller pivots. Parameters: only floats are read
(``type = 'float'``), and there must be exactly one a component and name of the
experiment's column catalogue (``column_catalogue.py``: every parameter name its components
have, kept in the same transactions as the parameters; the first component must have
those names too), so each component has every name and only floats. The catalogue spares
reading 2,000,000 names (0.3 s more). Metric series: their names are read too, and must
repeat one list of distinct names from component to component (each component's names
being distinct and in index order, any other layout breaks the repetition: checked on
what was read, nothing assumed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialbook.store.core.column_catalogue import PARAMETER, uses_in_name_order
from trialbook.store.core.records import GridCells, PivotColumns
from trialbook.store.core.summaries import ACCUMULATORS
from trialbook.store.core.transaction import Transaction


def parameter_grid(
    tx: Transaction,
    experiment_id: int,
    components: str,
    bound: Mapping[str, Any],
    component_ids: Sequence[int],
    links: int,
) -> PivotColumns | None:
    """The float parameters of the components that ``components`` (a SELECT of the ids
    ``component_ids`` binding ``bound``, in ``links`` links to the experiment's trials)
    gives, when each has exactly the experiment's parameter names, all floats: one cell a
    name (the value; NaN as None)."""
    catalogue = uses_in_name_order(tx, experiment_id, PARAMETER)
    names = [name for name, _ in catalogue]
    count = len(component_ids)
    if (
        not count
        or any(uses != links for _, uses in catalogue)  # a name some trial's component lacks
        or set(names) != set(_names_of(tx, "parameters", component_ids[0]))
    ):  # the quick half of the check: no grid read for nothing
        return None
    value = tx.dialect.parameter_cells[1].format(j="p")
    rows = tx.fetch_all(
        f"SELECT {value} FROM parameters p WHERE p.component_id IN ({components})"
        " AND p.type = 'float' ORDER BY p.component_id, p.name",
        bound,
    )
    if len(rows) != count * len(names):
        return None
    return PivotColumns(1, grid=GridCells(names, rows))


def metric_grid(
    tx: Transaction,
    components: str,
    bound: Mapping[str, Any],
    component_ids: Sequence[int],
    blocks: list[int | None] | None = None,
) -> PivotColumns | None:
    """The ``ACCUMULATORS`` of the series of the distinct components ``component_ids`` that
    ``components`` gives, when each has series of the same names (``blocks``: see
    ``GridCells``)."""
    count = len(component_ids)
    if not count:
        return None
    total = tx.scalar(
        f"SELECT count(*) FROM metric_series s WHERE s.component_id IN ({components})", bound
    )
    if total != count * len(_names_of(tx, "metric_series", component_ids[0])):
        return None  # the quick half of the check: no grid read for nothing
    rows = tx.fetch_all(
        f"SELECT s.name, {ACCUMULATORS} FROM metric_series s"
        f" WHERE s.component_id IN ({components}) ORDER BY s.component_id, s.name",
        bound,
    )
    width = len(rows) // count
    names = [row[0] for row in rows[:width]]
    if len(set(names)) != width or [row[0] for row in rows] != names * count:
        return None
    return PivotColumns(len(ACCUMULATORS.split(",")), grid=GridCells(names, rows, 1, blocks))


def _names_of(tx: Transaction, table: str, component_id: int) -> list[str]:
    return [
        row[0]
        for row in tx.execute(f"SELECT name FROM {table} WHERE component_id = ?", (component_id,))
    ]


def keep_grid_rows(columns: PivotColumns, keep: Sequence[bool]) -> None:
    """Only the kept rows (and no name when none is kept)."""
    grid = columns.grid
    assert grid is not None
    rows = range(len(keep)) if grid.blocks is None else grid.blocks
    grid.blocks = [block for block, kept in zip(rows, keep, strict=True) if kept]
    if all(block is None for block in grid.blocks):
        grid.names = []


def place_grid(
    tx: Transaction, table: str, order: str, component_ids: Sequence[Any], columns: PivotColumns
) -> None:
    """``columns.order`` of a grid: every name first in the first row that has a component,
    ranked as that component's names are by ``order``."""
    grid = columns.grid
    assert grid is not None
    blocks = range(len(component_ids)) if grid.blocks is None else grid.blocks
    first = next((row for row, block in enumerate(blocks) if block is not None), None)
    columns.order = {}
    if first is not None and grid.names:
        ranked = tx.execute(
            f"SELECT name FROM {table} WHERE component_id = ? ORDER BY {order}",
            (component_ids[first],),
        )
        columns.order = {name: (first, rank) for rank, (name,) in enumerate(ranked)}
