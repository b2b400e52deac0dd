/**
 * The columns of the trial table: what a trial row shows, how a cell's value
 * is read, compared and written to CSV. Plain functions, no DOM.
 */
import { ITrialColumns, ITrialRow, MetricStat } from '../api/types';
import { decodeJSONNumber } from './metrics';

/** A table cell's value: numbers for numeric columns, text otherwise. */
export type CellValue = number | string | boolean | null;

export type ColumnKind =
  | 'name'
  | 'experiment'
  | 'status'
  | 'variable'
  | 'parameter'
  | 'metric'
  | 'objective'
  | 'duration'
  | 'start_time';

/** The metric statistics a user can show as columns. */
export const METRIC_STATS: readonly MetricStat[] = [
  'min',
  'max',
  'avg',
  'last',
  'stddev',
  'count'
];

export interface ITrialColumn {
  /** Stable id: `name`, `variables.lr`, `metrics.loss.min`, … */
  readonly id: string;
  readonly label: string;
  readonly kind: ColumnKind;
  /** The variable, parameter or metric name, for grouping and charts. */
  readonly key: string;
  readonly stat?: MetricStat;
  value(row: ITrialRow): CellValue;
}

const FIXED: ITrialColumn[] = [
  {
    id: 'name',
    label: 'Trial',
    kind: 'name',
    key: 'name',
    value: row => row.name
  },
  {
    id: 'status',
    label: 'Status',
    kind: 'status',
    key: 'status',
    value: row => row.status
  },
  {
    id: 'objective_value',
    label: 'Objective',
    kind: 'objective',
    key: 'objective_value',
    value: row => decodeJSONNumber(row.objective_value)
  },
  {
    id: 'start_time',
    label: 'Started',
    kind: 'start_time',
    key: 'start_time',
    value: row => row.start_time
  },
  {
    id: 'duration',
    label: 'Duration (s)',
    kind: 'duration',
    key: 'duration',
    value: row => trialDuration(row)
  }
];

const EXPERIMENT_COLUMN: ITrialColumn = {
  id: 'experiment_name',
  label: 'Experiment',
  kind: 'experiment',
  key: 'experiment_name',
  value: row => row.experiment_name
};

/** Seconds from the first start to the last end (or now while running). */
export function trialDuration(
  row: ITrialRow,
  now: number = Date.now()
): number | null {
  if (!row.start_time) {
    return null;
  }
  const start = Date.parse(row.start_time);
  const end = row.end_time ? Date.parse(row.end_time) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return null;
  }
  return Math.max(0, (end - start) / 1000);
}

/**
 * Every column the table can show, in their default order. Parameters that
 * merely repeat a variable (`exp.run` logs variables as parameters) are left out.
 */
export function buildColumns(
  available: ITrialColumns,
  options: { experiment?: boolean } = {}
): ITrialColumn[] {
  const columns = [...FIXED];
  if (options.experiment) {
    // Across experiments: which one a trial belongs to, right after its name.
    columns.splice(1, 0, EXPERIMENT_COLUMN);
  }
  const variables = new Set(available.variables);
  for (const name of available.variables) {
    columns.push({
      id: `variables.${name}`,
      label: name,
      kind: 'variable',
      key: name,
      value: row => row.variables?.[name] ?? null
    });
  }
  for (const name of available.parameters) {
    if (variables.has(name)) {
      continue;
    }
    columns.push({
      id: `parameters.${name}`,
      label: name,
      kind: 'parameter',
      key: name,
      value: row => decodeParameter(row.parameters[name])
    });
  }
  for (const name of available.metrics) {
    for (const stat of METRIC_STATS) {
      columns.push({
        id: `metrics.${name}.${stat}`,
        label: `${name} (${stat})`,
        kind: 'metric',
        key: name,
        stat,
        value: row => {
          const summary = row.metrics[name];
          if (!summary) {
            return null;
          }
          return stat === 'count'
            ? summary.count
            : decodeJSONNumber(summary[stat]);
        }
      });
    }
  }
  return columns;
}

function decodeParameter(value: unknown): CellValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') {
    return decodeJSONNumber(value);
  }
  return value as CellValue;
}

/** The columns that hold numbers (ranges, parcoords, scatter axes). */
export function isNumericKind(kind: ColumnKind): boolean {
  return kind === 'metric' || kind === 'objective' || kind === 'duration';
}

/** A cell as text (for display and CSV). */
export function formatCell(value: CellValue, kind: ColumnKind): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return String(value);
    }
    if (kind === 'duration') {
      return value.toFixed(1);
    }
    if (Number.isInteger(value)) {
      return String(value);
    }
    if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) {
      return value.toExponential(3);
    }
    return String(Number(value.toPrecision(5)));
  }
  if (kind === 'start_time' && typeof value === 'string') {
    const date = new Date(value);
    return Number.isNaN(date.getTime())
      ? value
      : date.toLocaleString(undefined, { hour12: false });
  }
  return String(value);
}

/** A trial's variable set as a label (`lr=0.01, seed=1`); its name when it has none. */
export function variableSetLabel(row: ITrialRow): string {
  const entries = Object.entries(row.variables ?? {});
  return entries.length
    ? entries
        .map(([key, value]) => `${key}=${formatVariable(value)}`)
        .join(', ')
    : row.name;
}

function formatVariable(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
