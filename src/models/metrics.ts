import { IMetricSummary, JSONNumber } from '../api/types';
import { decodeNumber } from '../kernel/protocol';

/** The most recent points of one metric, oldest first, for a sparkline. */
export interface IMetricTail {
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

/** Which statistic the sidebar shows for a trial's metric. */
export type SummaryStat = 'last' | 'min' | 'max' | 'avg';

/** Points kept per metric for sparklines. */
export const TAIL_LENGTH = 60;

/** Decode a REST number (non-finite values travel as strings, as on the comm). */
export function decodeJSONNumber(value: JSONNumber | null): number | null {
  return value === null ? null : decodeNumber(value);
}

/**
 * Append live points to a tail, dropping points whose step the tail already
 * has past (a point seen over the comm and again over REST counts once).
 */
export function appendToTail(
  tail: IMetricTail | undefined,
  steps: readonly number[],
  values: readonly number[]
): IMetricTail {
  const outSteps = tail ? [...tail.steps] : [];
  const outValues = tail ? [...tail.values] : [];
  let lastStep = outSteps.length ? outSteps[outSteps.length - 1] : -Infinity;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] <= lastStep) {
      continue;
    }
    outSteps.push(steps[i]);
    outValues.push(values[i]);
    lastStep = steps[i];
  }
  const start = Math.max(0, outSteps.length - TAIL_LENGTH);
  return { steps: outSteps.slice(start), values: outValues.slice(start) };
}

/**
 * A tail fetched over REST, plus any live points newer than its last step
 * (REST lags the kernel's flush; the comm does not).
 */
export function mergeTail(
  fetched: IMetricTail,
  live: IMetricTail | undefined
): IMetricTail {
  if (!live) {
    return appendToTail(undefined, fetched.steps, fetched.values);
  }
  return appendToTail(
    appendToTail(undefined, fetched.steps, fetched.values),
    live.steps,
    live.values
  );
}

/** A summary updated with new points, as the store would compute it. */
export function extendSummary(
  summary: IMetricSummary | undefined,
  values: readonly number[]
): IMetricSummary {
  let min = decodeJSONNumber(summary?.min ?? null);
  let max = decodeJSONNumber(summary?.max ?? null);
  const avg = decodeJSONNumber(summary?.avg ?? null);
  const count = summary?.count ?? 0;
  // The store's count includes NaN points while min/max/avg skip them; keep
  // the running sum over the points avg was computed from.
  let finiteCount = avg === null || Number.isNaN(avg) ? 0 : count;
  let sum = finiteCount ? (avg as number) * finiteCount : 0;
  for (const value of values) {
    if (Number.isNaN(value)) {
      continue;
    }
    min = min === null || value < min ? value : min;
    max = max === null || value > max ? value : max;
    sum += value;
    finiteCount += 1;
  }
  const last = values.length
    ? values[values.length - 1]
    : decodeJSONNumber(summary?.last ?? null);
  return {
    min: encode(min),
    max: encode(max),
    avg: finiteCount ? encode(sum / finiteCount) : null,
    stddev: summary?.stddev ?? null,
    last: encode(last),
    count: count + values.length
  };
}

function encode(value: number | null): JSONNumber | null {
  if (value === null) {
    return null;
  }
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}

/** A short human form of a metric value: 4 significant digits. */
export function formatMetric(value: number | null): string {
  if (value === null) {
    return '–';
  }
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/** Metrics `system_metrics=True` logs (`system.cpu_percent`, or `<component>/system.…`). */
export function isSystemMetric(name: string): boolean {
  return name.startsWith('system.') || name.includes('/system.');
}

/** Training metrics first, then the system ones: a metric chooser's two groups. */
export function groupMetrics(names: readonly string[]): {
  training: string[];
  system: string[];
} {
  return {
    training: names.filter(name => !isSystemMetric(name)),
    system: names.filter(isSystemMetric)
  };
}

/**
 * The metric a chart shows first: the objective's, else the first training
 * metric; a system metric only when nothing else was logged.
 */
export function defaultMetric(
  names: readonly string[],
  objective: string | null | undefined
): string | null {
  if (objective && names.includes(objective)) {
    return objective;
  }
  const { training, system } = groupMetrics(names);
  return training[0] ?? system[0] ?? null;
}
