"""Building a DataFrame column by column from rows whose keys vary (trials with different
variables or metrics): columns in order of first appearance, NaN where a row has no value,
as ``pandas.DataFrame(list_of_dicts)`` gives, without its per-row, per-key conversion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

MISSING = float("nan")


class ColumnsBuilder:
    """Rows in, columns out: ``put`` values of the current row, ``end_row``, ``frame()``."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {}
        self.count = 0

    def put(self, name: str, value: Any) -> None:
        column = self.columns.get(name)
        if column is None:
            column = self.columns[name] = []
        if len(column) < self.count:
            column.extend([MISSING] * (self.count - len(column)))
        column.append(value)

    def put_row(self, row: Mapping[str, Any]) -> None:
        for name, value in row.items():
            self.put(name, value)
        self.end_row()

    def end_row(self) -> None:
        self.count += 1

    def frame(self) -> pandas.DataFrame:
        import pandas

        for column in self.columns.values():
            column.extend([MISSING] * (self.count - len(column)))
        return pandas.DataFrame(self.columns)
