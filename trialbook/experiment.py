"""``Experiment``: a systematic test of one hypothesis or objective."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trialbook import values
from trialbook import variables as variable_space
from trialbook.analytics import trials_dataframe
from trialbook.coverage import missing_sets
from trialbook.errors import AlreadyExistsError, ValidationError
from trialbook.grouping import groups_dataframe
from trialbook.kernel.display import Chart, experiment_bundle
from trialbook.names import has_visible_text, validate_name
from trialbook.objective import claim_of, normalize_objective
from trialbook.run import start_run
from trialbook.store import ExperimentRecord, flush_all, open_store
from trialbook.trial import Trial

if TYPE_CHECKING:
    import pandas

    from trialbook.evaluation import Evaluation
    from trialbook.tracker import Tracker


class Experiment:
    """An experiment as stored; ``variables`` is its variable space (name → Choice/Range)."""

    experiment_name: str
    description: str | None
    hypothesis: str | None
    objective: dict[str, Any] | None
    variables: dict[str, variable_space.Variable] | None
    tags: dict[str, str]
    notes: str | None

    def __init__(self, record: ExperimentRecord) -> None:
        self._apply(record)

    def _apply(self, record: ExperimentRecord) -> None:
        self.experiment_name = record.name
        self.display_name = record.name
        self.description = record.description
        self.hypothesis = record.hypothesis
        self.objective = record.objective
        self.variables = variable_space.space_from_json(record.variables)
        self.tags = dict(record.tags)
        self.notes = record.notes
        self.creation_time = values.to_datetime(record.creation_time)
        self.last_modified_time = values.to_datetime(record.last_modified_time)
        self.last_activity = values.to_datetime(record.last_activity)

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        experiment_name: str,
        *,
        description: str | None = None,
        hypothesis: str | None = None,
        objective: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        tags: Any = None,
        exist_ok: bool = False,
    ) -> Experiment:
        """Create an experiment characterized by a hypothesis, an objective or a description.

        With ``exist_ok=True`` an existing experiment of that name is returned (re-running a
        notebook just works), unless its hypothesis, objective or variables differ.
        """
        name = validate_name(experiment_name, "experiment_name")
        description = values.text(description, "description")
        hypothesis = values.text(hypothesis, "hypothesis")
        space = variable_space.parse_space(variables)
        normalized_objective = normalize_objective(objective, space)
        if not (
            has_visible_text(description) or has_visible_text(hypothesis) or normalized_objective
        ):
            raise ValidationError(
                f"Experiment {name!r} needs a hypothesis, an objective or a description: an "
                "experiment is characterized by what it tests, e.g. "
                "Experiment.create(name, hypothesis='A custom CNN beats ResNet50 on CIFAR10')"
            )
        space_json = variable_space.space_to_json(space)
        store = open_store()
        try:
            record = store.create_experiment(
                name,
                description=description,
                hypothesis=hypothesis,
                objective=normalized_objective,
                variables=space_json,
                tags=values.tags(tags),
            )
        except AlreadyExistsError as error:
            if not exist_ok:
                raise
            existing: ExperimentRecord = error.existing
            _check_same_definition(existing, hypothesis, normalized_objective, space_json)
            return cls(existing)
        return cls(record)

    @classmethod
    def load(cls, experiment_name: str) -> Experiment:
        return cls(open_store().get_experiment(validate_name(experiment_name, "experiment_name")))

    @classmethod
    def list(cls) -> builtins.list[Experiment]:
        """Every experiment, oldest first."""
        return [cls(record) for record in open_store().list_experiments()]

    def refresh(self) -> Experiment:
        self._apply(open_store().get_experiment(self.experiment_name))
        return self

    def save(self) -> Experiment:
        """Write description, hypothesis, objective, tags, notes (and variables while the
        experiment has no trials) back to the store."""
        store = open_store()
        space = variable_space.parse_space(self.variables)
        space_json = variable_space.space_to_json(space)
        current = store.get_experiment(self.experiment_name)
        fields: dict[str, Any] = {
            "description": values.text(self.description, "description"),
            "hypothesis": values.text(self.hypothesis, "hypothesis"),
            "objective": normalize_objective(self.objective, space),
            "tags": values.tags(self.tags),
            "notes": values.text(self.notes, "notes"),
        }
        if not (
            has_visible_text(fields["description"])
            or has_visible_text(fields["hypothesis"])
            or fields["objective"]
        ):
            raise ValidationError("an experiment needs a hypothesis, an objective or a description")
        if space_json != current.variables:
            if store.list_trials(experiment_name=self.experiment_name):
                raise ValidationError(
                    f"cannot change the variables of {self.experiment_name!r}: it has trials; "
                    "create a new experiment for a new variable space"
                )
            fields["variables"] = space_json
        self._apply(store.update_experiment(self.experiment_name, **fields))
        return self

    def delete(self) -> None:
        """Delete the experiment; it must have no trials (see ``delete_all``)."""
        open_store().delete_experiment(self.experiment_name, force=False)

    def delete_all(self, action: str | None = None, *, force: bool = False) -> None:
        """Delete the experiment, its trials, the components used only by them and their
        artifact files; components shared with other experiments are only disassociated.
        Pass ``action="--force"`` (as smexperiments) or ``force=True``."""
        if action != "--force" and not force:
            raise ValidationError(
                "delete_all removes every trial and component of the experiment; confirm with "
                "exp.delete_all(action='--force') or exp.delete_all(force=True)"
            )
        open_store().delete_experiment(self.experiment_name, force=True)

    # -- trials ----------------------------------------------------------------------------
    def create_trial(
        self,
        trial_name: str | None = None,
        *,
        variables: dict[str, Any] | None = None,
        tags: Any = None,
    ) -> Trial:
        return Trial.create(self.experiment_name, trial_name, variables=variables, tags=tags)

    def list_trials(self) -> builtins.list[Trial]:
        return Trial.list(experiment_name=self.experiment_name)

    def search(self, query: str) -> builtins.list[Trial]:
        """The trials ``query`` matches, oldest first, e.g.
        ``exp.search('lr < 0.01 and metrics.loss.min < 0.2')``; the language is in
        docs/query.md. A ValidationError (QueryError) points at a problem in the query."""
        if not isinstance(query, str):
            raise ValidationError(f"query must be a string, got {type(query).__name__}")
        flush_all()
        found = open_store().search_trials(query, [self.experiment_name])
        return [Trial(record) for record in found]

    def grid(self) -> builtins.list[dict[str, Any]]:
        """Every variable set of the space in product order (ranges need ``num``)."""
        if not self.variables:
            raise ValidationError(f"experiment {self.experiment_name!r} declares no variables")
        return variable_space.grid(self.variables)

    def sample(self, n: int, seed: int | None = None) -> builtins.list[dict[str, Any]]:
        """``n`` distinct variable sets not yet used by a trial of this experiment."""
        if not self.variables:
            raise ValidationError(f"experiment {self.experiment_name!r} declares no variables")
        used = {variable_space.identity(trial.variables) for trial in self.list_trials()}
        used.discard(None)
        return variable_space.sample(self.variables, n, used, seed)  # type: ignore[arg-type]

    def run(
        self,
        variables: dict[str, Any] | None = None,
        *,
        rerun: bool = False,
        system_metrics: bool | float = False,
    ) -> Tracker:
        """Find or create the trial for ``variables`` and a training component; use as
        ``with exp.run(variables={...}) as tracker:``.

        A Failed, Stopped or Interrupted trial gets a new attempt; a Completed one raises
        AlreadyExistsError unless ``rerun=True``; a running one always raises.
        ``system_metrics=True`` (or an interval in seconds) samples CPU, memory, I/O and GPUs.
        """
        return start_run(self, variables, rerun=rerun, system_metrics=system_metrics)

    def optimize(self, objective: Any, n_trials: int | None = None, **kwargs: Any) -> Any:
        """Run an Optuna study in the direction of this experiment's objective, each Optuna
        trial logged as a trial; ``kwargs`` go to ``study.optimize`` (timeout, n_jobs, catch,
        callbacks...) or ``optuna.create_study`` (sampler, pruner, storage...). Needs optuna;
        returns the study. See ``trialbook.integrations.optuna``."""
        from trialbook.integrations.optuna import optimize

        return optimize(self, objective, n_trials, **kwargs)

    def dataframe(
        self, *, group_by_except: Sequence[str] | None = None, spread: str = "ci"
    ) -> pandas.DataFrame:
        """One row per trial: variables, objective value and metric summaries.

        With ``group_by_except=["seed"]``: one row per group of trials equal in every other
        variable, with ``n``, the trials and ``"<column> mean|lo|hi|sd"`` of each metric
        summary column (lo/hi: the 95% interval of the mean, or mean ± sd with
        ``spread="sd"``)."""
        if group_by_except is not None:
            return groups_dataframe(self.experiment_name, group_by_except, spread)
        return trials_dataframe(self.experiment_name)

    def evaluate(
        self, *, claims: Sequence[Mapping[str, Any]] | None = None, **overrides: Any
    ) -> Evaluation:
        """The verdict on the claim stated in the objective, from the completed trials.

        Takes the objective's keys (metric, goal, summary, variable, treatment, control,
        min_effect, alpha) to evaluate another claim after the fact; ``claims``, a list of
        such dicts, evaluates several claims as one Holm-corrected family. See
        docs/statistics.md.
        """
        if claims is not None and (
            isinstance(claims, Mapping | str)
            or not claims
            or not all(isinstance(claim, Mapping) for claim in claims)
        ):
            raise ValidationError(
                "claims must be a non-empty list of dicts, e.g. claims=[{'metric': 'acc', "
                "'goal': 'maximize'}, {'metric': 'loss', 'goal': 'minimize'}]"
            )
        extras = list(claims or [{}])
        if all(
            claim_of(self.objective, self.variables, {**overrides, **e}) is None for e in extras
        ):
            raise ValidationError(
                f"experiment {self.experiment_name!r} states no claim: give one, e.g. "
                "exp.evaluate(variable='model', treatment='custom', control='resnet50')"
                + ("" if self.objective else " with metric= and goal=")
            )
        # Imported here on purpose: evaluation brings numpy and scipy, which training
        # machines that only log never need.
        from trialbook.evaluation import evaluate

        return evaluate(self.experiment_name, self.objective, self.variables, overrides, claims)

    def missing(self) -> builtins.list[dict[str, Any]]:
        """The variable sets of the declared grid (a Range: its ``num`` steps) that have no
        completed trial, in grid order."""
        if not self.variables:
            raise ValidationError(f"experiment {self.experiment_name!r} declares no variables")
        return missing_sets(self.experiment_name, self.variables)

    def plot(
        self,
        metric_name: str,
        *,
        x: str = "step",
        group_by: str | None = None,
        smoothing: float = 0.0,
        log_y: bool = False,
    ) -> Chart:
        """A chart of ``metric_name`` for every trial, growing live in JupyterLab.

        ``x`` is "step", "time" or "relative"; ``group_by`` a variable name (a mean line
        and a min–max band per value); ``smoothing`` an exponential moving average weight.
        """
        if group_by is not None and group_by not in (self.variables or {}):
            declared = ", ".join(sorted(self.variables or {})) or "none"
            raise ValidationError(
                f"group_by={group_by!r} is not a variable of {self.experiment_name!r} "
                f"(declared: {declared})"
            )
        return Chart(
            metric_name,
            owner_kind="trial",
            owners=[trial.trial_name for trial in self.list_trials()],
            experiment=self.experiment_name,
            scope="experiment",
            x=x,
            group_by=group_by,
            smoothing=smoothing,
            log_y=log_y,
            title=f"experiment {self.experiment_name}",
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return experiment_bundle(self)

    def __repr__(self) -> str:
        return (
            f"Experiment(experiment_name={self.experiment_name!r}, hypothesis={self.hypothesis!r}, "
            f"objective={self.objective!r}, variables={sorted(self.variables or {})})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Experiment) and other.experiment_name == self.experiment_name

    def __hash__(self) -> int:
        return hash(("Experiment", self.experiment_name))


def _check_same_definition(
    existing: ExperimentRecord,
    hypothesis: str | None,
    objective: dict[str, Any] | None,
    space_json: dict[str, Any] | None,
) -> None:
    differences = []
    if hypothesis is not None and hypothesis != existing.hypothesis:
        differences.append(f"hypothesis {existing.hypothesis!r} ≠ {hypothesis!r}")
    if objective is not None and objective != existing.objective:
        differences.append(f"objective {existing.objective!r} ≠ {objective!r}")
    if space_json is not None and space_json != existing.variables:
        differences.append("variables differ")
    if differences:
        raise ValidationError(
            f"Experiment {existing.name!r} already exists with a different definition "
            f"({'; '.join(differences)}). An experiment is characterized by its hypothesis: "
            "create a new experiment (another name) to test a different one."
        )
