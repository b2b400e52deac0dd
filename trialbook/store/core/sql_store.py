"""``SqlStore``: the Store interface in SQL, over any backend (``backend.py``).

Each public method runs one transaction (writes take the write lock up front and are retried
while the database is busy) whose body is a function of the concern's module: experiments,
trials, components, artifacts, points, series, rows, table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from trialbook.store.core import (
    artifacts,
    attempts,
    changes,
    components,
    deletion,
    entities,
    experiments,
    finishing,
    points,
    rows,
    runs,
    series,
    table,
    table_matches,
    trials,
)
from trialbook.store.core.backend import Backend
from trialbook.store.core.component_frame import component_frame_rows
from trialbook.store.core.frame_rows import trial_frame_rows
from trialbook.store.core.interface import Store
from trialbook.store.core.records import (
    ArtifactRecord,
    Change,
    ComponentFrameRows,
    ComponentRecord,
    Direction,
    ExperimentRecord,
    MetricPoint,
    MetricSummary,
    OwnerKind,
    ParameterValue,
    RunStart,
    SeriesKey,
    SeriesPoints,
    TrialFrameRows,
    TrialQuery,
    TrialRecord,
    TrialTable,
)
from trialbook.store.core.retrying import retry
from trialbook.store.core.transaction import Transaction, chunks, marks

T = TypeVar("T")


class SqlStore(Store):
    """A store whose data lives in a SQL database reached through ``backend``."""

    def __init__(self, backend: Backend, artifact_root: Path, key: str) -> None:
        self.backend = backend
        self.artifact_root = artifact_root
        #: Tells this store's database apart from others in process-wide caches.
        self.key = key

    # -- transactions ----------------------------------------------------------------------
    def close(self) -> None:
        table_matches.wait_for_store(self.key)  # a sort's order being listed on the worker
        self.backend.close()

    def reset_after_fork(self) -> None:
        self.backend.reset_after_fork()

    def watch_changes(self, callback: Callable[[int | None], None]) -> bool:
        return self.backend.listen(callback)

    def write(self, body: Callable[[Transaction], T]) -> T:
        """Run ``body`` in a write transaction, then tell the change listeners."""
        try:
            result, committed = self._write(body)
        except Exception as error:
            self._raise_store_error(error)
            raise
        if committed:
            self._notify_change_listeners(committed)
        return result

    def _raise_store_error(self, error: Exception) -> None:
        """Raise the StoreError the backend words ``error`` as (the disk is full, the file is
        not a store, …), without the engine's traceback; return if it is no such error."""
        translated = self.backend.store_error(error)
        if translated is not None:
            raise translated from None

    def _write(self, body: Callable[[Transaction], T]) -> tuple[T, list[Change]]:
        connection = self.backend.connection()

        def attempt() -> tuple[T, list[Change]]:
            tx = Transaction(self.backend, connection, write=True)
            self.backend.begin(connection, write=True)
            try:
                result = body(tx)
                tx.write_changes()
                changes.prune(tx)
                if tx.changes:
                    self.backend.announce(connection, tx.changes[-1].seq)
                self.backend.commit(connection)
            except BaseException:
                self.backend.rollback(connection)
                raise
            self.backend.committed_write()
            return result, tx.changes

        return retry(attempt, self.backend.is_transient)

    def read(self, body: Callable[[Transaction], T]) -> T:
        """Run ``body`` in one read transaction (a consistent snapshot)."""
        try:
            return self._read(body)
        except Exception as error:
            self._raise_store_error(error)
            raise

    def _read(self, body: Callable[[Transaction], T]) -> T:
        connection = self.backend.connection()

        def attempt() -> T:
            self.backend.begin(connection, write=False)
            try:
                return body(Transaction(self.backend, connection, write=False))
            finally:
                self.backend.commit(connection)

        return retry(attempt, self.backend.is_transient)

    def _remove_unreferenced_files(self, paths: Iterable[str]) -> None:
        candidates = sorted(set(paths))
        if candidates:
            gone = self.read(lambda tx: deletion.unreferenced(tx, candidates))
            artifacts.remove_files(self.artifact_root, gone)

    # -- experiments -----------------------------------------------------------------------
    def create_experiment(
        self,
        name: str,
        *,
        description: str | None,
        hypothesis: str | None,
        objective: dict[str, Any] | None,
        variables: dict[str, Any] | None,
        tags: Mapping[str, str],
    ) -> ExperimentRecord:
        return self.write(
            lambda tx: experiments.create(
                tx,
                name,
                description=description,
                hypothesis=hypothesis,
                objective=objective,
                variables=variables,
                tags=tags,
            )
        )

    def get_experiment(self, name: str) -> ExperimentRecord:
        return self.read(lambda tx: experiments.by_name(tx, name))

    def list_experiments(self) -> list[ExperimentRecord]:
        return self.read(experiments.all_records)

    def update_experiment(self, name: str, **fields: Any) -> ExperimentRecord:
        return self.write(lambda tx: experiments.update(tx, name, fields))

    def delete_experiment(self, name: str, *, force: bool = False) -> None:
        self._remove_unreferenced_files(
            self.write(lambda tx: experiments.delete(tx, name, force=force))
        )

    # -- trials ----------------------------------------------------------------------------
    def create_trial(
        self,
        name: str,
        *,
        experiment_name: str,
        variables: dict[str, Any] | None,
        identity: str | None,
        tags: Mapping[str, str],
    ) -> TrialRecord:
        return self.write(
            lambda tx: trials.create(
                tx,
                name,
                experiment_name=experiment_name,
                variables=variables,
                identity=identity,
                tags=tags,
            )
        )

    def get_trial(self, name: str) -> TrialRecord:
        return self.read(lambda tx: trials.by_name(tx, name))

    def find_trial(self, experiment_name: str, identity: str) -> TrialRecord | None:
        return self.read(
            lambda tx: trials.find(
                tx, entities.entity_id(tx, "experiments", experiment_name), identity
            )
        )

    def list_trials(
        self, *, experiment_name: str | None = None, component_name: str | None = None
    ) -> list[TrialRecord]:
        return self.read(lambda tx: trials.listed(tx, experiment_name, component_name))

    def update_trial(self, name: str, **fields: Any) -> TrialRecord:
        return self.write(lambda tx: trials.update(tx, name, fields))

    def delete_trial(self, name: str, *, force: bool = False) -> None:
        self._remove_unreferenced_files(self.write(lambda tx: trials.delete(tx, name, force=force)))

    # -- components ------------------------------------------------------------------------
    def create_component(
        self,
        name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Mapping[str, str],
        provenance: dict[str, Any] | None,
        status: str | None = None,
        start_time: float | None = None,
    ) -> ComponentRecord:
        return self.write(
            lambda tx: components.create(
                tx,
                name,
                display_name=display_name,
                kind=kind,
                tags=tags,
                provenance=provenance,
                status=status,
                start_time=start_time,
            )
        )

    def get_component(self, name: str) -> ComponentRecord:
        return self.read(lambda tx: components.by_name(tx, name))

    def list_components(
        self,
        *,
        trial_name: str | None = None,
        experiment_name: str | None = None,
        unassigned: bool = False,
    ) -> list[ComponentRecord]:
        return self.read(lambda tx: components.listed(tx, trial_name, experiment_name, unassigned))

    def update_component(self, name: str, **fields: Any) -> ComponentRecord:
        return self.write(lambda tx: components.update(tx, name, fields))

    def start_run(
        self, experiment_name: str, run: RunStart
    ) -> tuple[TrialRecord, ComponentRecord | None]:
        return self.write(lambda tx: runs.start(tx, experiment_name, run))

    def finish_component(
        self, component_name: str, batches: Mapping[SeriesKey, Sequence[MetricPoint]], **fields: Any
    ) -> None:
        batches = {key: batch for key, batch in batches.items() if batch}
        self.write(lambda tx: finishing.finish(tx, component_name, batches, fields))

    def delete_component(self, name: str, *, force_disassociate: bool = False) -> None:
        self._remove_unreferenced_files(
            self.write(
                lambda tx: components.delete(tx, name, force_disassociate=force_disassociate)
            )
        )

    def start_attempt(
        self,
        trial_name: str,
        component_name: str,
        *,
        display_name: str | None,
        kind: str | None,
        tags: Mapping[str, str],
        provenance: dict[str, Any] | None,
        start_time: float | None,
    ) -> ComponentRecord:
        return self.write(
            lambda tx: attempts.start(
                tx,
                trial_name,
                component_name,
                display_name=display_name,
                kind=kind,
                tags=tags,
                provenance=provenance,
                start_time=start_time,
            )
        )

    def associate(self, trial_name: str, component_name: str) -> None:
        self.write(lambda tx: components.associate(tx, trial_name, component_name))

    def disassociate(self, trial_name: str, component_name: str) -> None:
        self.write(lambda tx: components.disassociate(tx, trial_name, component_name))

    def set_parameters(
        self, component_name: str, parameters: Mapping[str, ParameterValue], *, replace: bool
    ) -> None:
        self.write(lambda tx: components.set_parameters(tx, component_name, parameters, replace))

    # -- artifacts -------------------------------------------------------------------------
    def import_artifact_file(self, file_path: Path) -> tuple[str, str, int]:
        return artifacts.import_file(self.artifact_root, file_path)

    def put_artifact(
        self,
        component_name: str,
        *,
        direction: Direction,
        name: str,
        value: str,
        media_type: str | None,
        sha256: str | None = None,
        size: int | None = None,
        path: str | None = None,
    ) -> ArtifactRecord:
        record, replaced_path = self.write(
            lambda tx: artifacts.put(
                tx,
                component_name,
                direction=direction,
                name=name,
                value=value,
                media_type=media_type,
                sha256=sha256,
                size=size,
                path=path,
            )
        )
        if replaced_path and replaced_path != path:
            self._remove_unreferenced_files([replaced_path])
        return record

    def get_artifact(self, artifact_id: int) -> ArtifactRecord:
        return self.read(lambda tx: artifacts.get(tx, artifact_id))

    # -- metrics ---------------------------------------------------------------------------
    def append_metric_points(self, batches: Mapping[SeriesKey, Sequence[MetricPoint]]) -> int:
        batches = {key: batch for key, batch in batches.items() if batch}
        if not batches:
            return 0
        return self.write(lambda tx: points.append(tx, batches))

    def record_heartbeat(self, component_names: Sequence[str], when: float) -> None:
        names = list(component_names)
        if not names:
            return
        self.write(lambda tx: components.record_heartbeat(tx, names, when))

    def metric_summaries(
        self, component_names: Sequence[str]
    ) -> dict[str, dict[str, MetricSummary]]:
        return self.read(lambda tx: series.summaries_by_name(tx, component_names))

    def metric_points(self, component_name: str, metric: str) -> SeriesPoints:
        return self.read(lambda tx: series.raw_points(tx, component_name, metric))

    def metric_series(
        self,
        requests: Sequence[tuple[OwnerKind, str, str]],
        *,
        max_points: int = 1000,
        x: Literal["step", "time"] = "step",
        x_min: float | None = None,
        x_max: float | None = None,
    ) -> list[SeriesPoints]:
        return self.read(
            lambda tx: series.windows(
                tx, requests, max_points=max_points, x=x, x_min=x_min, x_max=x_max
            )
        )

    # -- reads for the server --------------------------------------------------------------
    def list_experiment_summaries(self, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
        return self.read(lambda tx: experiments.summaries(tx, names))

    def trial_frame_rows(self, experiment_name: str) -> TrialFrameRows:
        def body(tx: Transaction) -> TrialFrameRows:
            experiment = experiments.by_name(tx, experiment_name)
            experiment_id = entities.entity_id(tx, "experiments", experiment_name)
            return trial_frame_rows(tx, experiment, experiment_id)

        return self.read(body)

    def component_frame_rows(
        self, experiment_name: str, query: str | None = None
    ) -> ComponentFrameRows:
        def body(tx: Transaction) -> ComponentFrameRows:
            chosen = self._with_ids(tx, [experiment_name])
            matching = None
            if query is not None:
                found = table.matching_trial_ids(tx, chosen, TrialQuery(query=query))
                matching = set(found)
            return component_frame_rows(tx, chosen[0][0], matching)

        return self.read(body)

    def trial_rows(
        self, experiment_name: str, *, parameters: bool = True, provenance: bool = True
    ) -> list[dict[str, Any]]:
        def body(tx: Transaction) -> list[dict[str, Any]]:
            experiment = experiments.by_name(tx, experiment_name)
            experiment_id = entities.entity_id(tx, "experiments", experiment_name)
            return rows.experiment_trial_rows(
                tx, experiment, experiment_id, parameters=parameters, provenance=provenance
            )

        return self.read(body)

    def trial_table(self, experiment_name: str, query: TrialQuery) -> TrialTable:
        def body(tx: Transaction) -> TrialTable:
            experiments = self._with_ids(tx, [experiment_name])
            return table.trial_table(tx, self.key, experiments, query, reader=self.read)

        return self.read(body)

    def all_trials_table(self, query: TrialQuery) -> TrialTable:
        def body(tx: Transaction) -> TrialTable:
            every = self._with_ids(tx, None)
            return table.trial_table(
                tx, self.key, every, query, every_experiment=True, reader=self.read
            )

        return self.read(body)

    def search_trials(
        self, query: str, experiment_names: Sequence[str] | None = None
    ) -> list[TrialRecord]:
        def body(tx: Transaction) -> list[TrialRecord]:
            chosen = self._with_ids(tx, experiment_names)
            ids = table.matching_trial_ids(
                tx,
                chosen,
                TrialQuery(query=query),
                every_experiment=experiment_names is None,
            )
            found: list[TrialRecord] = []
            for chunk in chunks(ids):
                found += trials.records(tx, f"WHERE t.id IN ({marks(len(chunk))})", list(chunk))
            return found

        return self.read(body)

    @staticmethod
    def _with_ids(
        tx: Transaction, names: Sequence[str] | None
    ) -> list[tuple[int, ExperimentRecord]]:
        """(id, record) of the named experiments (NotFoundError for an unknown one), or of
        every experiment, oldest first."""
        if names is None:
            ids = [row[0] for row in tx.execute("SELECT id FROM experiments ORDER BY id")]
            return list(zip(ids, experiments.all_records(tx), strict=True))
        return [
            (entities.entity_id(tx, "experiments", name), experiments.by_name(tx, name))
            for name in names
        ]

    def trial_detail(self, name: str) -> dict[str, Any]:
        def body(tx: Transaction) -> dict[str, Any]:
            detail = trials.by_name(tx, name).to_dict()
            found = components.records(
                tx,
                "WHERE c.id IN (SELECT tc.component_id FROM trial_components tc"
                " JOIN trials t ON t.id = tc.trial_id WHERE t.name = ?)",
                (name,),
            )
            detail["components"] = [component.to_dict() for component in found]
            return detail

        return self.read(body)

    def component_detail(self, name: str) -> dict[str, Any]:
        return self.read(lambda tx: components.detail_with_trials(tx, name))

    # -- change feed -----------------------------------------------------------------------
    def changes_since(self, cursor: int, limit: int = 1000) -> list[Change]:
        return self.read(lambda tx: changes.since(tx, cursor, limit))

    def latest_change_cursor(self) -> int:
        return self.read(changes.latest_cursor)

    def oldest_change_cursor(self) -> int:
        return self.read(changes.oldest_cursor)
