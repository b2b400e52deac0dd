"""Trial-table column ids: ``name``-like fixed columns, ``variables.<v>``, ``parameters.<p>``
and ``metrics.<metric>.<stat>``; parsed once, with errors that say what is allowed."""

from __future__ import annotations

from dataclasses import dataclass

from trialbook.errors import ValidationError
from trialbook.store.core.vocabulary import TRIAL_FIXED_COLUMNS, TRIAL_METRIC_STATS


@dataclass(frozen=True)
class TrialColumn:
    """A parsed trial-table column id: ``group`` "fixed" (``key`` is the column),
    "variables", "parameters" or "metrics" (with ``stat`` one of TRIAL_METRIC_STATS)."""

    group: str
    key: str
    stat: str | None = None


def parse_trial_column(column: str, what: str = "column") -> TrialColumn:
    """Split a column id; ValidationError (naming what is allowed) for an unknown one."""
    if column in TRIAL_FIXED_COLUMNS:
        return TrialColumn("fixed", column)
    group, _, rest = column.partition(".")
    if group in ("variables", "parameters") and rest:
        return TrialColumn(group, rest)
    stats = "|".join(TRIAL_METRIC_STATS)
    if group == "metrics":
        metric, _, stat = rest.rpartition(".")
        if metric and stat in TRIAL_METRIC_STATS:
            return TrialColumn(group, metric, stat)
        raise ValidationError(f"{what} {column!r}: use metrics.<metric>.<{stats}>")
    raise ValidationError(
        f"{what} {column!r}: use one of {', '.join(TRIAL_FIXED_COLUMNS)}, variables.<name>, "
        f"parameters.<name> or metrics.<metric>.<{stats}>"
    )
