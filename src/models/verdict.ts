/**
 * Words and numbers of a verdict, as the hypothesis card, the sidebar badge,
 * the inline renderer and the coverage list show them. Plain functions.
 */
import {
  IEvaluationResponse,
  IGroupMetric,
  JSONNumber,
  ParameterValue,
  Verdict,
  VERDICTS
} from '../api/types';
import { decodeJSONNumber, formatMetric } from './metrics';

/** What the verdict's numbers need: an evaluation or one of its comparisons. */
export type IComparisonStats = Pick<
  IEvaluationResponse,
  'verdict' | 'effect' | 'ci' | 'n_treatment' | 'n_control' | 'trials_needed'
>;

/** A verdict from anything a payload may hold; `null` for no claim or junk. */
export function asVerdict(value: unknown): Verdict | null {
  return VERDICTS.includes(value as Verdict) ? (value as Verdict) : null;
}

/** A CSS modifier for a verdict: `supported`, `notSupported`, `inconclusive`. */
export function verdictClass(verdict: Verdict): string {
  return verdict.replace(/ (\w)/g, (_, letter: string) => letter.toUpperCase());
}

/** A signed number: `+0.034`, `−0.012` (a true minus sign), `0`. */
export function formatSigned(value: number | null): string {
  if (value === null) {
    return '–';
  }
  const text = formatMetric(Math.abs(value));
  if (value > 0) {
    return `+${text}`;
  }
  return value < 0 ? `−${text}` : text;
}

/** `[0.012, 0.056]`, or `''` without an interval. */
export function formatInterval(
  ci: readonly [JSONNumber, JSONNumber] | null
): string {
  if (!ci) {
    return '';
  }
  const [lo, hi] = ci.map(value => decodeJSONNumber(value));
  return `[${formatSigned(lo)}, ${formatSigned(hi)}]`;
}

/** The effect with its interval: `+0.034 [+0.012, +0.056]`; `''` without one. */
export function formatEffect(stats: IComparisonStats): string {
  const effect = decodeJSONNumber(stats.effect);
  if (effect === null || Number.isNaN(effect)) {
    return '';
  }
  const interval = formatInterval(stats.ci);
  return interval
    ? `${formatSigned(effect)} ${interval}`
    : formatSigned(effect);
}

/** The confidence level of an evaluation's intervals: `95%`. */
export function confidenceLevel(alpha: number | null): string {
  return `${Number(((1 - (alpha ?? 0.05)) * 100).toPrecision(3))}%`;
}

/**
 * How many more trials each group needs to settle an inconclusive verdict:
 * the recommended size less the smaller group; `null` when it is decided, or
 * no recommendation exists, or the groups are already that large.
 */
export function moreTrialsPerGroup(stats: IComparisonStats): number | null {
  if (stats.verdict !== 'inconclusive' || stats.trials_needed === null) {
    return null;
  }
  const more =
    stats.trials_needed - Math.min(stats.n_treatment, stats.n_control);
  return more > 0 ? more : null;
}

/** A probability as a percentage: `87%`. */
export function formatProbability(value: JSONNumber | null): string {
  const number = decodeJSONNumber(value);
  if (number === null || Number.isNaN(number)) {
    return '–';
  }
  return `${Math.round(number * 100)}%`;
}

/** A p-value: `0.0123`, `< 0.0001`. */
export function formatPValue(value: JSONNumber | null): string {
  const number = decodeJSONNumber(value);
  if (number === null || Number.isNaN(number)) {
    return '–';
  }
  return number < 1e-4 ? '< 0.0001' : String(Number(number.toPrecision(3)));
}

/** Whether an evaluation has anything to show: a stated (or overridden) claim. */
export function hasClaim(evaluation: IEvaluationResponse | null): boolean {
  return !!evaluation && evaluation.claim !== null;
}

/** Which spread a group cell shows beside its mean. */
export type Spread = 'ci' | 'sd';

/**
 * A group's mean with its spread: `0.9123 ± 0.0041` (± the interval's
 * half-width, or ± the standard deviation); the mean alone for one trial.
 */
export function formatMeanSpread(stat: IGroupMetric, spread: Spread): string {
  const mean = decodeJSONNumber(stat.mean);
  if (mean === null || Number.isNaN(mean)) {
    return '';
  }
  let half: number | null;
  if (spread === 'sd') {
    half = decodeJSONNumber(stat.sd);
  } else {
    const lo = decodeJSONNumber(stat.lo);
    const hi = decodeJSONNumber(stat.hi);
    half = lo === null || hi === null ? null : (hi - lo) / 2;
  }
  if (half === null || !Number.isFinite(half) || half <= 0) {
    return formatMetric(mean);
  }
  return formatWithError(mean, half);
}

/**
 * A mean and its ± at a precision the spread justifies: two significant
 * digits of the spread, the mean rounded to the same decimal place
 * (`0.9090 ± 0.0042`); exponents for very large or small spreads.
 */
export function formatWithError(mean: number, half: number): string {
  const exponent = Math.floor(Math.log10(half));
  const decimals = 1 - exponent;
  if (decimals < 0 || decimals > 8) {
    return `${formatMetric(mean)} ± ${half.toPrecision(2)}`;
  }
  return `${mean.toFixed(decimals)} ± ${half.toFixed(decimals)}`;
}

/** A value as Python source: `'custom'`, `0.1`, `True`, `None`, `float('nan')`. */
export function pythonLiteral(value: ParameterValue | null): string {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) {
      return "float('nan')";
    }
    if (!Number.isFinite(value)) {
      return value > 0 ? "float('inf')" : "float('-inf')";
    }
    return String(value);
  }
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') {
    // How non-finite floats travel over REST.
    return pythonLiteral(decodeJSONNumber(value));
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** The line that runs one variable set: `exp.run(variables={'model': 'custom'})`. */
export function runLine(variables: Record<string, ParameterValue>): string {
  const items = Object.entries(variables).map(
    ([name, value]) => `${pythonLiteral(name)}: ${pythonLiteral(value)}`
  );
  return `exp.run(variables={${items.join(', ')}})`;
}

/** `model=custom, lr=0.1`: a variable set as short text. */
export function describeSet(
  variables: Record<string, ParameterValue | null>
): string {
  return Object.entries(variables)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(', ');
}
