"""Metric summaries kept per series at write time (count, NaN/inf counts, Welford/Chan mean
and M2, min, max, last): read as MetricSummary records or as the trial table's stat dicts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trialbook.store.core.records import MetricSummary
from trialbook.store.core.transaction import Transaction, chunks, marks
from trialbook.store.core.vocabulary import summary_stats

#: The accumulator columns of metric_series, in ``summary_stats`` argument order.
ACCUMULATORS = (
    "count, finite_count, pos_inf_count, neg_inf_count, mean, m2, min_value, max_value,"
    " last_step, last_value"
)
#: The same columns as ``pivot`` cells (``count`` is never NULL: it comes first).
ACCUMULATOR_CELLS = tuple(f"{{j}}.{column.strip()}" for column in ACCUMULATORS.split(","))


def stats(row: Sequence[Any]) -> dict[str, Any]:
    """The TRIAL_METRIC_STATS dict of a row of ACCUMULATORS."""
    return summary_stats(*row)


def summaries(tx: Transaction, component_ids: Sequence[int]) -> Iterable[tuple[int, MetricSummary]]:
    """(component id, summary) of every series of these components, oldest series first."""
    for chunk in chunks(list(component_ids)):
        for row in tx.execute(
            f"SELECT component_id, name, {ACCUMULATORS}, last_time, first_time"
            f" FROM metric_series WHERE component_id IN ({marks(len(chunk))}) ORDER BY id",
            tuple(chunk),
        ):
            values = stats(row[2:12])
            yield (
                row[0],
                MetricSummary(
                    metric=row[1],
                    count=values["count"],
                    min=values["min"],
                    max=values["max"],
                    avg=values["avg"],
                    stddev=values["stddev"],
                    last=values["last"],
                    last_step=row[10],
                    last_time=row[12],
                    first_time=row[13],
                ),
            )
