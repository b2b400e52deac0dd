"""pandas views of the store: SageMaker's ExperimentAnalytics shape, per-trial and per-step.

pandas is imported only when a dataframe is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trialbook import values
from trialbook.errors import ValidationError
from trialbook.frames import ColumnsBuilder, components_frame, cyclic_gc_paused, trials_frame
from trialbook.names import validate_name
from trialbook.store import (
    SUMMARY_STATS,
    TRIAL_METRIC_STATS,
    ComponentRecord,
    TrialQuery,
    flush_all,
    open_store,
)
from trialbook.store.core.vocabulary import objective_stat

if TYPE_CHECKING:
    import pandas


class ExperimentAnalytics:
    """One row per trial component of an experiment, as SageMaker's ExperimentAnalytics."""

    def __init__(
        self,
        experiment_name: str,
        *,
        metric_names: Iterable[str] | None = None,
        parameter_names: Iterable[str] | None = None,
        input_artifact_names: Iterable[str] | None = None,
        output_artifact_names: Iterable[str] | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        query: str | None = None,
    ) -> None:
        """``query`` (docs/query.md) keeps the components of the trials it matches."""
        self.experiment_name = validate_name(experiment_name, "experiment_name")
        open_store().get_experiment(self.experiment_name)  # NotFoundError early
        self.query = query
        if query is not None:
            self._matching_trials()  # a QueryError now, not at the first dataframe()
        self.metric_names = _names(metric_names)
        self.parameter_names = _names(parameter_names)
        self.input_artifact_names = _names(input_artifact_names)
        self.output_artifact_names = _names(output_artifact_names)
        if sort_order not in (None, "Ascending", "Descending"):
            raise ValidationError(
                f"sort_order must be 'Ascending' or 'Descending', got {sort_order!r}"
            )
        self.sort_by = sort_by
        self.sort_order = sort_order or "Ascending"
        self._dataframe: pandas.DataFrame | None = None

    def _components(self) -> list[ComponentRecord]:
        components = open_store().list_components(experiment_name=self.experiment_name)
        if self.query is None:
            return components
        matching = self._matching_trials()
        return [c for c in components if matching.intersection(c.trial_names)]

    def _matching_trials(self) -> set[str]:
        if not isinstance(self.query, str):
            raise ValidationError(f"query must be a string, got {type(self.query).__name__}")
        found = open_store().search_trials(self.query, [self.experiment_name])
        return {trial.name for trial in found}

    def dataframe(self, force_refresh: bool = False) -> pandas.DataFrame:
        """The table (cached; ``force_refresh=True`` re-reads the store)."""

        if self._dataframe is not None and not force_refresh:
            return self._dataframe
        flush_all()
        with cyclic_gc_paused():  # the rows are gone before it runs again
            frame, created = self._bulk_frame()
        if frame is None:  # a parameter named like another column: the records' rule
            frame = self._records_frame()
        self._dataframe = self._sorted(frame, created).reset_index(drop=True)
        return self._dataframe

    def _bulk_frame(self) -> tuple[pandas.DataFrame | None, dict[str, float]]:
        """The table from the store's bulk rows (None: see ``components_frame``), and each
        component's creation time."""
        rows = open_store().component_frame_rows(self.experiment_name, self.query)
        frame = components_frame(
            rows,
            self.parameter_names,
            self.metric_names,
            self.input_artifact_names,
            self.output_artifact_names,
        )
        return frame, {row[1]: row[3] for row in rows.components}

    def _records_frame(self) -> pandas.DataFrame:
        """The table built from a record and a dict per component (``ColumnsBuilder``)."""
        experiments_of_trial = {
            trial.name: trial.experiment_name for trial in open_store().list_trials()
        }
        builder = ColumnsBuilder()
        for component in self._components():
            builder.put_row(self._row(component, experiments_of_trial))
        frame = builder.frame()
        if not frame.empty:  # list columns last, as SageMaker's
            ordered = [c for c in frame.columns if c not in ("Trials", "Experiments")]
            frame = frame[[*ordered, "Trials", "Experiments"]]
        return frame

    def _row(
        self, component: ComponentRecord, experiments_of_trial: dict[str, str]
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "TrialComponentName": component.name,
            "DisplayName": component.display_name,
        }
        for name, value in component.parameters.items():
            if self.parameter_names is None or name in self.parameter_names:
                row[name] = value
        for name, summary in component.metrics.items():
            if self.metric_names is None or name in self.metric_names:
                for stat in SUMMARY_STATS:
                    row[f"{name} - {stat}"] = summary.stat(stat)
        for artifacts, wanted in (
            (component.input_artifacts, self.input_artifact_names),
            (component.output_artifacts, self.output_artifact_names),
        ):
            for name, artifact in artifacts.items():
                if wanted is None or name in wanted:
                    row[f"{name} - MediaType"] = artifact.media_type
                    row[f"{name} - Value"] = artifact.value
        row["Trials"] = list(component.trial_names)
        row["Experiments"] = list(
            dict.fromkeys(
                experiments_of_trial[t] for t in component.trial_names if t in experiments_of_trial
            )
        )
        return row

    def _sorted(self, frame: pandas.DataFrame, created: dict[str, float]) -> pandas.DataFrame:
        if not self.sort_by or frame.empty:
            return frame
        ascending = self.sort_order == "Ascending"
        if self.sort_by == "Name":
            column = "TrialComponentName"
        elif self.sort_by == "CreationTime":
            order = frame["TrialComponentName"].map(created)
            return frame.iloc[order.sort_values(ascending=ascending, kind="stable").index]
        elif self.sort_by.startswith("Parameters."):
            column = self.sort_by.removeprefix("Parameters.")
        elif self.sort_by.startswith("Metrics."):
            metric, _, stat = self.sort_by.removeprefix("Metrics.").rpartition(".")
            if stat not in SUMMARY_STATS:
                raise ValidationError(
                    f"sort_by {self.sort_by!r}: use Metrics.<metric>.<{'|'.join(SUMMARY_STATS)}>"
                )
            column = f"{metric} - {stat}"
        else:
            raise ValidationError(
                f"sort_by must be 'Name', 'CreationTime', 'Parameters.<p>' or "
                f"'Metrics.<m>.<Stat>', got {self.sort_by!r}"
            )
        if column not in frame.columns:
            raise ValidationError(f"sort_by {self.sort_by!r}: no column {column!r} in the table")
        return frame.sort_values(column, ascending=ascending, kind="stable", na_position="last")

    def metrics_dataframe(self) -> pandas.DataFrame:
        """Long format: TrialComponentName, Trials, metric, step, timestamp, value."""
        import pandas

        flush_all()
        store = open_store()
        columns: dict[str, list[Any]] = {
            "TrialComponentName": [],
            "Trials": [],
            "metric": [],
            "step": [],
            "timestamp": [],
            "value": [],
        }
        for component in self._components():
            for metric in component.metrics:
                if self.metric_names is not None and metric not in self.metric_names:
                    continue
                series = store.metric_points(component.name, metric)
                size = len(series.values)
                columns["TrialComponentName"] += [component.name] * size
                columns["Trials"] += [list(component.trial_names) for _ in range(size)]
                columns["metric"] += [metric] * size
                columns["step"] += series.steps
                columns["timestamp"] += series.times
                columns["value"] += series.values
        frame = pandas.DataFrame(columns)
        frame["timestamp"] = pandas.to_datetime(frame["timestamp"], unit="s", utc=True)
        frame["step"] = frame["step"].astype("int64")
        frame["value"] = frame["value"].astype("float64")
        return frame

    def export_csv(self, path: str) -> None:
        self.dataframe().to_csv(path, index=False)

    def __repr__(self) -> str:
        return f"ExperimentAnalytics(experiment_name={self.experiment_name!r})"


def trials_dataframe(experiment_name: str) -> pandas.DataFrame:
    """One row per trial: name, status, times, variables, objective value, metric summaries."""
    flush_all()
    store = open_store()
    experiment = store.get_experiment(experiment_name)
    with_objective = bool(experiment.objective)
    with cyclic_gc_paused():  # the rows are gone before it runs again
        frame = trials_frame(
            store.trial_frame_rows(experiment_name),
            objective_stat(experiment.objective),
            with_objective,
        )
    if frame is None:  # a variable named like another column: the general rows' rule
        general = store.trial_rows(experiment_name, parameters=False, provenance=False)
        frame = _trial_frame(general, with_objective, False)
    return frame


def search_trials(query: str | None = None) -> pandas.DataFrame:
    """The trials of every experiment that ``query`` matches (all trials for None), oldest
    first: the columns of ``Experiment.dataframe()`` plus ``Experiment``. See docs/query.md."""
    flush_all()
    store = open_store()
    if query is not None and not isinstance(query, str):
        raise ValidationError(f"query must be a string, got {type(query).__name__}")
    table = store.all_trials_table(TrialQuery(query=query))
    with_objective = any(experiment.objective for experiment in store.list_experiments())
    return _trial_frame(table.rows, with_objective, True)


def _trial_frame(
    rows: Iterable[dict[str, Any]], with_objective: bool, with_experiment: bool
) -> pandas.DataFrame:
    """A dict a trial, so a variable named like another column (``Status``, ``loss - Min``)
    keeps that column's place and gives way to the value written after it."""
    builder = ColumnsBuilder()
    to_datetime = values.to_datetime
    stat_fields = list(zip(SUMMARY_STATS, TRIAL_METRIC_STATS, strict=True))
    for trial in rows:
        row: dict[str, Any] = {"TrialName": trial["name"]}
        if with_experiment:
            row["Experiment"] = trial["experiment_name"]
        row["Status"] = trial["status"]
        row["CreationTime"] = to_datetime(trial["creation_time"])
        row["StartTime"] = to_datetime(trial["start_time"])
        row["EndTime"] = to_datetime(trial["end_time"])
        row.update(trial["variables"] or {})
        if with_objective:
            row["ObjectiveValue"] = trial["objective_value"]
        for key, summary in trial["metrics"].items():
            for stat, field in stat_fields:
                row[f"{key} - {stat}"] = summary[field]
        builder.put_row(row)
    return builder.frame()


def _names(names: Iterable[str] | None) -> set[str] | None:
    return None if names is None else set(names)
