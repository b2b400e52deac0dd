/**
 * REST payloads of the Trialbook server extension.
 *
 * The Python side mirrors these shapes in `trialbook/server/payloads.py`; a test
 * keeps the two in step. Bump `API_VERSION` on any incompatible change.
 *
 * Non-finite numbers travel as the strings "NaN", "Infinity" and "-Infinity"
 * (browsers' `JSON.parse` rejects bare NaN); times are ISO 8601 UTC strings,
 * except metric points' wall times (epoch seconds).
 */

export const API_VERSION = 1;

/** Status of a trial component, trial or experiment; `Interrupted` is derived. */
export type Status =
  'InProgress' | 'Completed' | 'Failed' | 'Stopped' | 'Interrupted';

export const STATUSES: readonly Status[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopped',
  'Interrupted'
];

/** A float over REST: non-finite values arrive as strings. */
export type JSONNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** A parameter value; a non-finite float arrives as one of the strings above. */
export type ParameterValue = boolean | number | string;

/** Which summary of a trial's series is its objective value. */
export type ObjectiveSummary = 'best' | 'last' | 'max' | 'min' | 'mean';

/**
 * What an experiment optimizes; `summary` decides a trial's objective value. The claim
 * keys (`variable` … `alpha`) are present only when the objective states a claim.
 */
export interface IObjective {
  metric: string;
  goal: 'maximize' | 'minimize';
  summary: ObjectiveSummary;
  variable?: string;
  treatment?: ParameterValue;
  /** One value, several, or `null`: every other value of the variable. */
  control?: ParameterValue | ParameterValue[] | null;
  min_effect?: number;
  alpha?: number;
}

/** The verdict on a claim; `null` where no claim is stated. */
export type Verdict = 'supported' | 'not supported' | 'inconclusive';

export const VERDICTS: readonly Verdict[] = [
  'supported',
  'not supported',
  'inconclusive'
];

/** One row of `GET trialbook/api/experiments`. */
export interface IExperimentSummary {
  name: string;
  description: string | null;
  hypothesis: string | null;
  objective: IObjective | null;
  trial_count: number;
  status_counts: Record<Status, number>;
  /** `null` while the experiment has no trial. */
  status: Status | null;
  /** ISO 8601 UTC. */
  creation_time: string;
  /** ISO 8601 UTC of the latest write touching the experiment. */
  last_activity: string | null;
  /** The verdict on the objective's claim; `null` when it states none. */
  verdict: Verdict | null;
}

export interface IExperimentListResponse {
  api_version: number;
  experiments: IExperimentSummary[];
}

/** `GET experiments/{name}`: the summary plus the variable space, tags and notes. */
export interface IExperimentDetail extends IExperimentSummary {
  /** Variable name → its JSON description (choice values or range). */
  variables: Record<string, unknown> | null;
  tags: Record<string, string>;
  notes: string | null;
}

/** Summary statistics of one metric series (NaN skipped by min/max, counted by count). */
export interface IMetricSummary {
  min: JSONNumber | null;
  max: JSONNumber | null;
  avg: JSONNumber | null;
  /** Population standard deviation (ddof 0). */
  stddev: JSONNumber | null;
  /** The value at the highest step. */
  last: JSONNumber | null;
  count: number;
}

/** One row of the trial table. */
export interface ITrialRow {
  name: string;
  experiment_name: string;
  variables: Record<string, ParameterValue> | null;
  tags: Record<string, string>;
  notes: string | null;
  status: Status | null;
  creation_time: string;
  last_activity: string | null;
  start_time: string | null;
  end_time: string | null;
  /** Component names, oldest start first. */
  components: string[];
  /** A name logged with different values by several components is `<display_name>/<name>`. */
  parameters: Record<string, ParameterValue>;
  /** Metric key (`<display_name>/<metric>` on a clash) → summary. */
  metrics: Record<string, IMetricSummary>;
  objective_value: JSONNumber | null;
  /**
   * Where the latest component came from (notebook, cell, kernel, host, git); the
   * package list, cell source and process details are in `GET components/{name}`.
   */
  provenance: Record<string, unknown> | null;
}

/** Every variable, parameter and metric key seen in the experiment's trials. */
export interface ITrialColumns {
  variables: string[];
  parameters: string[];
  metrics: string[];
}

/** A trial table column id usable as `sort` or a filter's `column`. */
export type TrialColumnId =
  | 'name'
  | 'status'
  | 'creation_time'
  | 'last_activity'
  | 'start_time'
  | 'end_time'
  | 'objective_value'
  | 'duration'
  | 'experiment'
  | `variables.${string}`
  | `parameters.${string}`
  | `metrics.${string}.${MetricStat}`;

export type MetricStat = 'min' | 'max' | 'avg' | 'stddev' | 'last' | 'count';

export type TrialFilterOperator =
  'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains';

/** One `filter` query parameter (sent as JSON). */
export interface ITrialFilter {
  column: TrialColumnId;
  op: TrialFilterOperator;
  value: number | string | boolean | null;
}

/** Where a query (`q`) is wrong: a 400's `query_error` (0-based offsets, `end` exclusive). */
export interface IQueryError {
  message: string;
  offset: number;
  end: number;
  line: number;
  column: number;
}

/** `GET experiments/{name}/trials`. */
export interface ITrialTableResponse {
  experiment_name: string;
  /** Trials matching the filters, before paging. */
  total: number;
  offset: number;
  /** `null`: the whole table. */
  limit: number | null;
  sort: string | null;
  order: 'asc' | 'desc';
  columns: ITrialColumns;
  trials: ITrialRow[];
}

/**
 * `GET trials`: the trial table across every experiment. Each row names its
 * `experiment_name`; `columns` are the union of the experiments' columns.
 */
export interface IAllTrialsResponse {
  /** Trials matching `q` (and any search, status or filter), before paging. */
  total: number;
  offset: number;
  /** 1,000 unless the request says otherwise. */
  limit: number | null;
  sort: string | null;
  order: 'asc' | 'desc';
  columns: ITrialColumns;
  trials: ITrialRow[];
}

/** An input or output artifact; `GET artifacts/{id}`. */
export interface IArtifact {
  id: number;
  component_name: string;
  direction: 'input' | 'output';
  name: string;
  /** A URI or a literal value. */
  value: string;
  media_type: string | null;
  sha256: string | null;
  size: number | null;
  /** Whether `artifacts/{id}/content` serves a copied file. */
  has_file: boolean;
  /** Whether the browser may show it inline (png, jpeg, gif, webp, text, csv, json). */
  inert: boolean;
  creation_time: string;
}

/** `GET components/{name}` (plus `trials`) and the items of `GET components`. */
export interface IComponentDetail {
  name: string;
  display_name: string | null;
  kind: string | null;
  status: Status | null;
  status_message: string | null;
  start_time: string | null;
  end_time: string | null;
  creation_time: string;
  last_modified_time: string;
  last_activity: string | null;
  tags: Record<string, string>;
  notes: string | null;
  provenance: Record<string, unknown> | null;
  parameters: Record<string, ParameterValue>;
  input_artifacts: Record<string, IArtifact>;
  output_artifacts: Record<string, IArtifact>;
  metrics: Record<string, IMetricSummary>;
  trial_names: string[];
}

export interface ITrialRef {
  name: string;
  experiment_name: string;
}

export interface IComponentWithTrials extends IComponentDetail {
  trials: ITrialRef[];
}

export interface IComponentListResponse {
  components: IComponentDetail[];
}

/** `GET trials/{name}`. */
export interface ITrialDetail {
  name: string;
  experiment_name: string;
  variables: Record<string, ParameterValue> | null;
  tags: Record<string, string>;
  notes: string | null;
  status: Status | null;
  creation_time: string;
  last_modified_time: string;
  last_activity: string | null;
  components: IComponentDetail[];
}

/** One series of `GET metrics`, downsampled keeping each bucket's extremes. */
export interface IMetricSeries {
  /** `null` when asked for by component. */
  trial: string | null;
  component: string | null;
  metric: string;
  /** Points stored, before downsampling. */
  total_count: number;
  /** Points in the requested x window, before downsampling (`total_count` without one). */
  window_count: number;
  /** True when fewer points than `window_count` were sent (extremes kept). */
  downsampled: boolean;
  /** Steps, or wall times in epoch seconds when `x` is "time". */
  x: number[];
  y: JSONNumber[];
}

export interface IMetricSeriesResponse {
  x: 'step' | 'time';
  max_points: number;
  /** The window asked for, in the units of `x`; `null`: unbounded on that side (always
   * sent by the server; optional so older fakes and fixtures still type-check). */
  x_min?: number | null;
  x_max?: number | null;
  series: IMetricSeries[];
}

/** One row of the store's change feed. */
export interface IChange {
  seq: number;
  time: string;
  /** e.g. "experiment.created", "component.status", "metrics.appended", "deleted". */
  kind: string;
  entity_type: 'experiment' | 'trial' | 'component' | 'artifact';
  entity_name: string;
  experiment_name: string | null;
  payload: Record<string, unknown>;
}

/** `GET changes?since=…`; on `reset` refetch everything and continue from `cursor`. */
export interface IChangesResponse {
  cursor: number;
  changes: IChange[];
  reset: boolean;
}

/** The fields `PATCH experiments/{name}` accepts. */
export interface IExperimentEdit {
  description?: string | null;
  tags?: Record<string, string>;
  notes?: string | null;
}

/** The fields `PATCH trials/{name}` accepts. */
export interface ITrialEdit {
  tags?: Record<string, string>;
  notes?: string | null;
}

/** The fields `PATCH components/{name}` accepts. */
export interface IComponentEdit {
  display_name?: string | null;
  tags?: Record<string, string>;
  notes?: string | null;
}

/** A claim as evaluated (the objective's claim with any overrides). */
export interface IClaim {
  metric: string;
  goal: 'maximize' | 'minimize';
  summary: ObjectiveSummary;
  variable: string;
  treatment: ParameterValue;
  control: ParameterValue | ParameterValue[] | null;
  min_effect: number;
  alpha: number;
}

/** The numbers of one comparison; effects are signed so that > 0 is better. */
export interface IEvidence {
  verdict: Verdict | null;
  message: string | null;
  effect: JSONNumber | null;
  /** The (1 − alpha) interval of the effect (Holm's step-down level with several). */
  ci: [JSONNumber, JSONNumber] | null;
  /** Holm-adjusted when there are several comparisons. */
  p_value: JSONNumber | null;
  /** Hedges' g. */
  effect_size: JSONNumber | null;
  /** P(treatment better than control), from the Mann–Whitney U (rliable). */
  prob_improvement: JSONNumber | null;
  n_treatment: number;
  n_control: number;
  paired: boolean;
  /** Trials per group for 80% power (inconclusive verdicts only). */
  trials_needed: number | null;
}

/** One treatment-vs-control comparison. */
export interface IComparison extends IEvidence {
  treatment: ParameterValue;
  control: ParameterValue;
  /**
   * The claim's metric (several claims may test several metrics). Always sent;
   * optional because outputs saved before it existed lack it.
   */
  metric?: string;
  /** The claim this comparison belongs to, in words (always sent; see `metric`). */
  text?: string;
  verdict: Verdict;
}

/** The completed trials of one value of the tested variable. */
export interface IEvaluationGroup {
  /** The metric of the claim this group belongs to (always sent; see IComparison). */
  metric?: string;
  value: ParameterValue;
  n: number;
  mean: JSONNumber | null;
  std: JSONNumber | null;
  /** The 95%-style (1 − alpha) t interval of the mean; `null` below 2 trials. */
  ci: [JSONNumber, JSONNumber] | null;
  values: JSONNumber[];
  trials: string[];
}

/** `GET experiments/{name}/evaluation`; top-level numbers are the deciding comparison's. */
export interface IEvaluationResponse extends IEvidence {
  /** The claim evaluated; the first one when several were (Python's `claims=`). */
  claim: IClaim | null;
  /** Every claim evaluated (always sent; see IComparison's `metric`). */
  claims?: IClaim[];
  text: string | null;
  alpha: number | null;
  min_effect: number | null;
  correction: 'holm' | null;
  comparisons: IComparison[];
  groups: IEvaluationGroup[];
  /** Trials of the compared values left out: Failed, Stopped, Interrupted, InProgress, NoMetric. */
  excluded: Record<string, number>;
}

/** Keys that override the stated claim for one evaluation (query parameters). */
export interface IEvaluationOverrides {
  metric?: string;
  goal?: 'maximize' | 'minimize';
  summary?: ObjectiveSummary;
  variable?: string;
  treatment?: ParameterValue;
  /** Several controls travel as repeated `control=` parameters. */
  control?: ParameterValue | ParameterValue[];
  min_effect?: number;
  alpha?: number;
}

/** n and mean ± spread of one metric summary column over a group's trials. */
export interface IGroupMetric {
  mean: JSONNumber | null;
  /** mean − (CI half-width | sd); `null` below 2 values. */
  lo: JSONNumber | null;
  hi: JSONNumber | null;
  sd: JSONNumber | null;
  /** Trials of the group with a finite value in this column. */
  n: number;
}

/** Trials equal in every variable but the excepted ones (e.g. seed). */
export interface ITrialGroup {
  key: Record<string, ParameterValue | null>;
  n: number;
  trials: string[];
  /** `"<metric> - <Min|Max|Avg|StdDev|Last|Count>"` and `ObjectiveValue` → numbers. */
  metrics: Record<string, IGroupMetric>;
}

/** `GET experiments/{name}/trial-groups?except=seed&spread=ci|sd`. */
export interface ITrialGroupsResponse {
  by: string[];
  spread: 'ci' | 'sd';
  groups: ITrialGroup[];
}

/** One variable set of the declared grid. */
export interface ICoverageSet {
  variables: Record<string, ParameterValue>;
  /** `'missing'`: no trial has this set. */
  status: Status | 'missing';
  trial: string | null;
}

/** `GET experiments/{name}/coverage`. */
export interface ICoverageResponse {
  variables: string[];
  total: number;
  /** Sets without a completed trial. */
  missing: number;
  /** Why there is no grid (a Range without `num`), else `null`. */
  message: string | null;
  sets: ICoverageSet[];
}

/** The JSON body of every error response. */
export interface IErrorResponse {
  message: string;
  reason?: string;
}
