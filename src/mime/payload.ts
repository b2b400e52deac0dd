/**
 * The payloads of Trialbook's MIME bundles (`trialbook/kernel/display.py`),
 * validated at the boundary: a saved notebook may hold anything.
 */
import {
  IEvaluationResponse,
  IEvaluationOverrides,
  ParameterValue,
  Status,
  STATUSES
} from '../api/types';
import { XAxisMode } from '../models/metricCurves';

export const DISPLAY_VERSION = 1;

export const MIME_TYPES = {
  experiment: 'application/vnd.trialbook.experiment+json',
  trial: 'application/vnd.trialbook.trial+json',
  component: 'application/vnd.trialbook.component+json',
  chart: 'application/vnd.trialbook.chart+json',
  evaluation: 'application/vnd.trialbook.evaluation+json'
} as const;

export type DisplayKind = keyof typeof MIME_TYPES;

export interface IExperimentPayload {
  kind: 'experiment';
  name: string;
  hypothesis: string | null;
  objective: { metric: string; goal: string; summary?: string } | null;
  /** The variable space as the REST experiment detail has it. */
  variables: Record<string, unknown> | null;
  trial_count: number;
  status_counts: Partial<Record<Status, number>>;
}

export interface ITrialPayload {
  kind: 'trial';
  name: string;
  experiment: string;
  status: Status | null;
  variables: Record<string, ParameterValue> | null;
}

export interface IComponentPayload {
  kind: 'component';
  name: string;
  display_name: string | null;
  status: Status | null;
  trials: string[];
}

export interface IChartOptions {
  x: XAxisMode;
  group_by: string | null;
  smoothing: number;
  log_y: boolean;
}

export interface IChartPayload {
  kind: 'chart';
  chart_id: string;
  metric: string;
  owner_kind: 'trial' | 'component';
  owners: string[];
  experiment: string | null;
  options: IChartOptions;
  /**
   * Whether trials created later join the chart: an experiment's chart, as
   * opposed to one trial's or component's.
   */
  scope: 'experiment' | 'owners';
}

/** `exp.evaluate()`: the verdict as computed, and how to recompute it live. */
export interface IEvaluationPayload {
  kind: 'evaluation';
  /** The experiment evaluated; `null`: the output stays as saved. */
  experiment: string | null;
  /** The claim keys passed to `evaluate()`, sent again on each refetch. */
  overrides: IEvaluationOverrides;
  evaluation: IEvaluationResponse;
}

export type DisplayPayload =
  | IExperimentPayload
  | ITrialPayload
  | IComponentPayload
  | IChartPayload
  | IEvaluationPayload;

/** The kind a MIME type renders, or `null` for a foreign type. */
export function kindOf(mimeType: string): DisplayKind | null {
  for (const [kind, type] of Object.entries(MIME_TYPES)) {
    if (type === mimeType) {
      return kind as DisplayKind;
    }
  }
  return null;
}

/** The payload of `mimeType` in an output's data, or an error message. */
export function parsePayload(
  mimeType: string,
  data: unknown
): DisplayPayload | { error: string } {
  const kind = kindOf(mimeType);
  if (!kind) {
    return { error: `not a Trialbook MIME type: ${mimeType}` };
  }
  if (!isObject(data)) {
    return { error: 'the output holds no Trialbook data' };
  }
  if (typeof data.version === 'number' && data.version > DISPLAY_VERSION) {
    return {
      error: `this output was made by a newer Trialbook (display version ${data.version})`
    };
  }
  if (!isName(data.name) && kind !== 'chart' && kind !== 'evaluation') {
    return { error: `malformed ${kind} output: no name` };
  }
  switch (kind) {
    case 'experiment':
      return {
        kind,
        name: data.name as string,
        hypothesis: optionalString(data.hypothesis),
        objective: isObject(data.objective)
          ? {
              metric: String(data.objective.metric ?? ''),
              goal: String(data.objective.goal ?? ''),
              summary: optionalString(data.objective.summary) ?? undefined
            }
          : null,
        variables: isObject(data.variables) ? data.variables : null,
        trial_count: isCount(data.trial_count) ? data.trial_count : 0,
        status_counts: statusCounts(data.status_counts)
      };
    case 'trial':
      return {
        kind,
        name: data.name as string,
        experiment: optionalString(data.experiment) ?? '',
        status: status(data.status),
        variables: scalars(data.variables)
      };
    case 'component':
      return {
        kind,
        name: data.name as string,
        display_name: optionalString(data.display_name),
        status: status(data.status),
        trials: stringList(data.trials) ?? []
      };
    case 'chart':
      return parseChart(data);
    case 'evaluation':
      return parseEvaluationPayload(data);
  }
}

function parseEvaluationPayload(
  data: Record<string, unknown>
): IEvaluationPayload | { error: string } {
  // The evaluation nested under `evaluation`, or (older) at the top level.
  const evaluation = parseEvaluation(
    isObject(data.evaluation) ? data.evaluation : data
  );
  if (!evaluation) {
    return { error: 'malformed evaluation output' };
  }
  return {
    kind: 'evaluation',
    experiment: isName(data.experiment)
      ? data.experiment
      : isName(data.name)
        ? data.name
        : null,
    overrides: isObject(data.overrides)
      ? (data.overrides as IEvaluationOverrides)
      : {},
    evaluation
  };
}

/**
 * An evaluation from a saved output: the shape checked where the card reads
 * it (lists are lists, counts are numbers), unknown verdicts dropped.
 */
export function parseEvaluation(value: unknown): IEvaluationResponse | null {
  if (!isObject(value) || !('verdict' in value)) {
    return null;
  }
  const list = (item: unknown) => (Array.isArray(item) ? item : []);
  const count = (item: unknown) => (isCount(item) ? item : 0);
  const verdict = (item: unknown) =>
    item === 'supported' || item === 'not supported' || item === 'inconclusive'
      ? item
      : null;
  const groups = list(value.groups).filter(isObject);
  return {
    ...(value as unknown as IEvaluationResponse),
    verdict: verdict(value.verdict),
    text: optionalString(value.text),
    message: optionalString(value.message),
    claim: isObject(value.claim)
      ? (value.claim as unknown as IEvaluationResponse['claim'])
      : null,
    n_treatment: count(value.n_treatment),
    n_control: count(value.n_control),
    paired: value.paired === true,
    trials_needed: isCount(value.trials_needed) ? value.trials_needed : null,
    alpha: typeof value.alpha === 'number' ? value.alpha : null,
    min_effect: typeof value.min_effect === 'number' ? value.min_effect : null,
    correction: value.correction === 'holm' ? 'holm' : null,
    comparisons: list(value.comparisons)
      .filter(isObject)
      .map(item => ({
        ...(item as unknown as IEvaluationResponse['comparisons'][number]),
        verdict: verdict(item.verdict) ?? 'inconclusive'
      })),
    groups: groups.map(group => ({
      ...(group as unknown as IEvaluationResponse['groups'][number]),
      n: count(group.n),
      values: list(group.values),
      trials: list(group.trials).map(String),
      ci:
        Array.isArray(group.ci) && group.ci.length === 2
          ? (group.ci as [number, number])
          : null
    })),
    excluded: isObject(value.excluded)
      ? (Object.fromEntries(
          Object.entries(value.excluded).filter(([, n]) => isCount(n))
        ) as Record<string, number>)
      : {}
  };
}

function parseChart(
  data: Record<string, unknown>
): IChartPayload | { error: string } {
  const owners = stringList(data.owners);
  if (
    !isName(data.chart_id) ||
    !isName(data.metric) ||
    (data.owner_kind !== 'trial' && data.owner_kind !== 'component') ||
    owners === null
  ) {
    return { error: 'malformed chart output' };
  }
  const options = isObject(data.options) ? data.options : {};
  const x =
    options.x === 'time' || options.x === 'relative' ? options.x : 'step';
  const smoothing =
    typeof options.smoothing === 'number' &&
    options.smoothing >= 0 &&
    options.smoothing < 1
      ? options.smoothing
      : 0;
  const experiment = optionalString(data.experiment);
  return {
    kind: 'chart',
    chart_id: data.chart_id as string,
    metric: data.metric as string,
    owner_kind: data.owner_kind,
    owners,
    experiment,
    options: {
      x,
      group_by: optionalString(options.group_by),
      smoothing,
      log_y: options.log_y === true
    },
    scope: chartScope(data)
  };
}

/** Which curves the chart shows; payloads from before `scope` existed list owners. */
function chartScope(data: Record<string, unknown>): 'experiment' | 'owners' {
  return data.scope === 'experiment' ? 'experiment' : 'owners';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function status(value: unknown): Status | null {
  return STATUSES.includes(value as Status) ? (value as Status) : null;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every(isName) ? value : null;
}

function statusCounts(value: unknown): Partial<Record<Status, number>> {
  const counts: Partial<Record<Status, number>> = {};
  if (isObject(value)) {
    for (const name of STATUSES) {
      if (isCount(value[name])) {
        counts[name] = value[name] as number;
      }
    }
  }
  return counts;
}

function scalars(value: unknown): Record<string, ParameterValue> | null {
  if (!isObject(value)) {
    return null;
  }
  const out: Record<string, ParameterValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (
      typeof item === 'string' ||
      typeof item === 'number' ||
      typeof item === 'boolean'
    ) {
      out[key] = item;
    } else {
      out[key] = JSON.stringify(item);
    }
  }
  return out;
}
