"""Experiments: the list, one experiment (GET / PATCH / DELETE) and its trial table."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import tornado.web

from ...errors import QueryError, ValidationError
from ...store import TRIAL_FILTER_OPERATORS, TrialFilter, TrialQuery, TrialTable
from .. import payloads
from ..verdicts import verdict_cache
from .base import INT64_MAX, BadParameter, BadQuery, TrialbookHandler
from .edits import EXPERIMENT_FIELDS, validated_fields

MAX_PAGE = 100_000
DEFAULT_ALL_TRIALS_PAGE = 1000


class ExperimentsHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        rows = await self.read(self.store.list_experiment_summaries)
        verdicts = await self.read(verdict_cache.verdicts, self.store, rows)
        response: payloads.ExperimentListResponse = {
            "api_version": payloads.API_VERSION,
            "experiments": [
                payloads.experiment_summary(row, verdicts[row["name"]]) for row in rows
            ],
        }
        self.write_json(response)


class ExperimentHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        await self._write_detail(name)

    @tornado.web.authenticated
    async def patch(self, name: str) -> None:
        fields = validated_fields(self.json_body(EXPERIMENT_FIELDS))
        await self.read(self.store.update_experiment, name, **fields)
        await self._write_detail(name)

    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        await self.delete_by_rules(self.store.delete_experiment, name)

    async def _write_detail(self, name: str) -> None:
        row = await self.read(self.store.experiment_summary, name)
        verdict = await self.read(verdict_cache.verdict, self.store, row)
        self.write_json(payloads.experiment_detail(row, verdict))


class TableRequestHandler(TrialbookHandler):
    """The trial-table parameters both tables take: sort, order, filter, status, search, q,
    offset and limit; a query error is a 400 naming ``q``."""

    async def read_table(self, function: Callable[..., TrialTable], *args: Any) -> TrialTable:
        """The table, with a query naming what does not exist as a 400 naming ``q``."""
        try:
            return await self.read(function, *args)
        except QueryError as error:
            raise BadQuery(error) from None

    @staticmethod
    def _table_response(table: TrialTable, query: TrialQuery) -> payloads.AllTrialsResponse:
        return {
            "total": table.total,
            "offset": query.offset,
            "limit": query.limit,
            "sort": query.sort,
            "order": "desc" if query.descending else "asc",
            "columns": {
                "variables": table.variables,
                "parameters": table.parameters,
                "metrics": table.metrics,
            },
            "trials": [payloads.trial_row(row) for row in table.rows],
        }

    def _query(self, default_limit: int | None) -> TrialQuery:
        statuses = self.query_list("status")
        for status in statuses:
            if status not in payloads.STATUSES:
                raise BadParameter(
                    "status", f"{status!r} is not one of {', '.join(payloads.STATUSES)}"
                )
        sort = self.query_one("sort")
        order = self.query_choice("order", ("asc", "desc"), "asc")
        query = TrialQuery(
            sort=sort,
            descending=order == "desc",
            filters=[self._filter(raw) for raw in self.query_list("filter")],
            statuses=statuses,
            search=self.query_one("search"),
            offset=self.query_int("offset", 0, 0, None) or 0,
            limit=self.query_int("limit", default_limit, 0, MAX_PAGE),
            query=self.query_one("q"),
        )
        try:
            query.validate()
        except QueryError as error:
            raise BadQuery(error) from None
        except ValidationError as error:
            raise BadParameter("sort" if "sort" in str(error) else "filter", str(error)) from None
        return query

    @staticmethod
    def _filter(raw: str) -> TrialFilter:
        example = '{"column": "parameters.lr", "op": "ge", "value": 0.01}'
        try:
            spec = json.loads(raw)
        except ValueError:
            raise BadParameter("filter", f"{raw!r} is not JSON; give e.g. {example}") from None
        if not isinstance(spec, dict) or set(spec) != {"column", "op", "value"}:
            raise BadParameter(
                "filter", f"give an object with column, op and value, e.g. {example}"
            )
        column, op, value = spec["column"], spec["op"], spec["value"]
        if not isinstance(column, str):
            raise BadParameter("filter", f"column must be a string, got {column!r}")
        if op not in TRIAL_FILTER_OPERATORS:
            raise BadParameter(
                "filter", f"op {op!r} is not one of {', '.join(TRIAL_FILTER_OPERATORS)}"
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise BadParameter("filter", f"value must be a number, string, bool or null: {value!r}")
        if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise BadParameter(
                "filter",
                f"value {str(value)[:30]} is out of range: integers must fit in 64 bits "
                f"(±{INT64_MAX}); give a float instead",
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise BadParameter("filter", f"value must be a finite number, got {value!r}")
        return TrialFilter(column, op, value)


class TrialTableHandler(TableRequestHandler):
    """`GET experiments/{name}/trials`: searched, queried, sorted and paged in the store."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        query = self._query(default_limit=None)
        table = await self.read_table(self.store.trial_table, name, query)
        response: payloads.TrialTableResponse = {
            "experiment_name": name,
            **self._table_response(table, query),
        }
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payloads.dumps_rows(dict(response), "trials"))


class AllTrialsHandler(TableRequestHandler):
    """`GET trials`: the trial table across every experiment (rows carry
    ``experiment_name``; columns are the union), 1,000 rows unless ``limit`` says otherwise."""

    @tornado.web.authenticated
    async def get(self) -> None:
        query = self._query(default_limit=DEFAULT_ALL_TRIALS_PAGE)
        table = await self.read_table(self.store.all_trials_table, query)
        response = self._table_response(table, query)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payloads.dumps_rows(dict(response), "trials"))
