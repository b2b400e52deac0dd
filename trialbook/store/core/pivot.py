"""Values kept one row per (component, name) — parameters, metric series — read as columns
for a DataFrame: one statement gives each row of a row source (components, or trials through
their sole component) with the cells of every name side by side (``Dialect.pivot``).

100,000 components × 20 parameters are then 100,000 result rows, which the frame turns into
columns in one numpy call, instead of 2,000,000 rows each becoming Python objects and dict
entries. The names are not known up front: those of the first component are read first,
and a count of the rows tells whether any other name exists (a scan for them only then).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

from trialbook.store.core.grid import keep_grid_rows, place_grid
from trialbook.store.core.records import PivotColumns
from trialbook.store.core.transaction import Transaction, chunks, marks

#: Names read by one statement (SQLite joins at most 64 tables).
NAMES_PER_STATEMENT = 40


def pivot(
    tx: Transaction,
    rows: str,
    parameters: Mapping[str, Any],
    row_ids: Sequence[int],
    table: str,
    cells: Sequence[str],
) -> PivotColumns:
    """The ``cells`` (expressions over ``{j}``, a row of ``table``; the first one NULL only
    where there is no row) of every name of ``table`` for the rows of ``rows`` (a SELECT of
    ``row_id`` and ``component_id`` binding ``parameters``), aligned with ``row_ids`` (the
    rows' ids in order). Call ``place`` once the rows are final."""
    for setting in tx.dialect.bulk_read_settings:
        tx.execute(setting)
    columns = PivotColumns(len(cells))
    width = len(cells)

    def read(names: Sequence[str]) -> None:
        """Add the blocks of ``names``' cells, aligned with ``row_ids``."""
        for chunk in _name_chunks(names):
            bound = {**parameters, **{f"name{k}": name for k, name in enumerate(chunk)}}
            result = tx.fetch_all(tx.dialect.pivot(rows, table, cells, len(chunk)), bound)
            if [row[0] for row in result] != list(row_ids):  # one snapshot: never, in fact
                by_id = {row[0]: row for row in result}
                empty = (None,) * (1 + width * len(chunk))
                result = [by_id.get(row_id, empty) for row_id in row_ids]
            offsets = {name: 1 + k * width for k, name in enumerate(chunk)}
            columns.blocks.append((result, offsets))

    source = f"SELECT r.component_id FROM ({rows}) r WHERE r.component_id IS NOT NULL"
    first = tx.scalar(f"{source} ORDER BY r.row_id LIMIT 1", parameters)
    names = [
        row[0] for row in tx.execute(f"SELECT name FROM {table} WHERE component_id = ?", (first,))
    ]
    read(names)
    found = sum(
        len(block) - list(map(itemgetter(offset), block)).count(None)
        for block, offsets in columns.blocks
        for offset in offsets.values()
    )
    joined = f"({rows}) r JOIN {table} j ON j.component_id = r.component_id"
    total = tx.scalar(f"SELECT count(*) FROM {joined}", parameters)
    if found < total:  # names the first component does not have
        known = {f"known{k}": name for k, name in enumerate(names)}
        unknown = f" WHERE j.name NOT IN ({', '.join(f':{key}' for key in known)})" if known else ""
        read(
            [
                row[0]
                for row in tx.execute(
                    f"SELECT j.name FROM {joined}{unknown} GROUP BY j.name",
                    {**parameters, **known},
                )
            ]
        )
    return columns


def _name_chunks(names: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(names), NAMES_PER_STATEMENT):
        yield names[start : start + NAMES_PER_STATEMENT]


def keep_rows(columns: PivotColumns, keep: Sequence[bool]) -> None:
    """Only the kept rows, and only the names one of them has."""
    if columns.grid is not None:
        keep_grid_rows(columns, keep)
        return
    for position, (block, offsets) in enumerate(columns.blocks):
        kept = list(compress(block, keep))
        held = {
            name: offset
            for name, offset in offsets.items()
            if any(row[offset] is not None for row in kept)
        }
        columns.blocks[position] = (kept, held)


def place(
    tx: Transaction, table: str, order: str, component_ids: Sequence[Any], columns: PivotColumns
) -> None:
    """Fill ``columns.order``: name → (index of the first row that has it, its rank among
    that row's names by ``order``), where ``pandas.DataFrame(list_of_dicts)`` puts it."""
    if columns.grid is not None:
        place_grid(tx, table, order, component_ids, columns)
        return
    first: dict[str, int] = {}
    for block, offsets in columns.blocks:
        for name, offset in offsets.items():
            index = next((i for i, row in enumerate(block) if row[offset] is not None), None)
            if index is not None:
                first[name] = index
    components = {component_ids[index]: index for index in set(first.values())}
    rank: dict[tuple[int, str], int] = {}
    for chunk in chunks(list(components)):
        for position, (component_id, name) in enumerate(
            tx.execute(
                f"SELECT component_id, name FROM {table} WHERE component_id"
                f" IN ({marks(len(chunk))}) ORDER BY component_id, {order}",
                tuple(chunk),
            )
        ):
            rank[(components[component_id], name)] = position
    columns.order = {name: (index, rank.get((index, name), 0)) for name, index in first.items()}
