"""Trials and trial components: GET with details, PATCH edits, DELETE with the API's rules."""

from __future__ import annotations

import tornado.web

from .. import payloads
from .base import TrialbookHandler
from .edits import COMPONENT_FIELDS, TRIAL_FIELDS, validated_fields


class TrialHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        self.write_json(payloads.trial_detail(await self.read(self.store.trial_detail, name)))

    @tornado.web.authenticated
    async def patch(self, name: str) -> None:
        fields = validated_fields(self.json_body(TRIAL_FIELDS))
        await self.read(self.store.update_trial, name, **fields)
        self.write_json(payloads.trial_detail(await self.read(self.store.trial_detail, name)))

    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        await self.delete_by_rules(self.store.delete_trial, name)


class ComponentsHandler(TrialbookHandler):
    """`GET components?trial=…|experiment=…|unassigned=true`."""

    @tornado.web.authenticated
    async def get(self) -> None:
        trial = self.query_one("trial")
        experiment = self.query_one("experiment")
        unassigned = self.query_bool("unassigned")
        if trial is not None:
            await self.read(self.store.get_trial, trial)  # 404 for an unknown trial
        if experiment is not None:
            await self.read(self.store.get_experiment, experiment)
        records = await self.read(
            self.store.list_components,
            trial_name=trial,
            experiment_name=experiment,
            unassigned=unassigned,
        )
        response: payloads.ComponentListResponse = {
            "components": [payloads.component_detail(record.to_dict()) for record in records]
        }
        self.write_json(response)


class ComponentHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        detail = await self.read(self.store.component_detail, name)
        self.write_json(payloads.component_with_trials(detail))

    @tornado.web.authenticated
    async def patch(self, name: str) -> None:
        fields = validated_fields(self.json_body(COMPONENT_FIELDS))
        await self.read(self.store.update_component, name, **fields)
        detail = await self.read(self.store.component_detail, name)
        self.write_json(payloads.component_with_trials(detail))

    @tornado.web.authenticated
    async def delete(self, name: str) -> None:
        await self.delete_by_rules(
            self.store.delete_component, name, force_argument="force_disassociate"
        )
