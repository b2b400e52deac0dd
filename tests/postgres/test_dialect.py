"""PostgreSQL's spelling of the core's SQL: SQLite's idioms rewritten, same results."""

from __future__ import annotations

import pytest

import trialbook as tb
from trialbook.store import open_store, reset_store_cache
from trialbook.store.core.records import TrialQuery
from trialbook.store.postgres.dialect import psycopg_sql


def test_sqlites_nulls_last_idiom_becomes_nulls_last() -> None:
    text = "SELECT id FROM x ORDER BY CASE WHEN k IS NULL THEN 1 ELSE 0 END, k DESC, id DESC"
    assert psycopg_sql(text) == "SELECT id FROM x ORDER BY k DESC NULLS LAST, id DESC"
    other = "ORDER BY CASE WHEN a IS NULL THEN 1 ELSE 0 END, b ASC"  # not the idiom: kept
    assert psycopg_sql(other) == other


@pytest.mark.parametrize("descending", [False, True])
def test_trials_missing_the_sort_key_come_last_either_way(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, descending: bool
) -> None:
    monkeypatch.setenv("TRIALBOOK_STORE", postgres_url)
    reset_store_cache()
    exp = tb.Experiment.create("sorted", hypothesis="h")
    for index, loss in enumerate([0.5, None, 0.1, None, 0.9]):
        with exp.run(variables={"index": index}) as tracker:
            if loss is not None:
                tracker.log_metric("loss", loss)
    query = TrialQuery(sort="metrics.loss.min", descending=descending)
    table = open_store().trial_table("sorted", query)
    losses = [(row["metrics"].get("loss") or {}).get("min") for row in table.rows]
    present = sorted([0.5, 0.1, 0.9], reverse=descending)
    assert losses == [*present, None, None]
    reset_store_cache()
