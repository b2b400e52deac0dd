"""Experiments: the list, one experiment (GET / PATCH / DELETE) and its trial table."""

from __future__ import annotations

import json

import tornado.web

from ...errors import ValidationError
from ...store import TRIAL_FILTER_OPERATORS, TrialFilter, TrialQuery
from .. import payloads
from .base import BadParameter, TrialbookHandler
from .edits import EXPERIMENT_FIELDS, validated_fields

MAX_PAGE = 100_000


class ExperimentsHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        rows = await self.read(self.store.list_experiment_summaries)
        response: payloads.ExperimentListResponse = {
            "api_version": payloads.API_VERSION,
            "experiments": [payloads.experiment_summary(row) for row in rows],
        }
        self.write_json(response)


class ExperimentHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        self.write_json(
            payloads.experiment_detail(await self.read(self.store.experiment_summary, name))
        )

    @tornado.web.authenticated
    async def patch(self, name: str) -> None:
        fields = validated_fields(self.json_body(EXPERIMENT_FIELDS))
        await self.read(self.store.update_experiment, name, **fields)
        self.write_json(
            payloads.experiment_detail(await self.read(self.store.experiment_summary, name))
        )

    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        await self.delete_by_rules(self.store.delete_experiment, name)


class TrialTableHandler(TrialbookHandler):
    """`GET experiments/{name}/trials`: sorted, filtered, paged in the store."""

    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        query = self._query()
        table = await self.read(self.store.trial_table, name, query)
        response: payloads.TrialTableResponse = {
            "experiment_name": name,
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
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(payloads.dumps_rows(dict(response), "trials"))

    def _query(self) -> TrialQuery:
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
            limit=self.query_int("limit", None, 0, MAX_PAGE),
        )
        try:
            query.validate()
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
        return TrialFilter(column, op, value)
