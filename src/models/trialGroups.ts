/**
 * The trial table averaged over some variables (by default `seed`): trials
 * sharing every other variable form a group row with n and the mean ± CI (or
 * ± sd) of each metric summary column, and expand to their trials. The
 * numbers come from the server (`trial-groups`), the same as
 * `exp.dataframe(group_by_except=[...])`. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IGroupMetric,
  ITrialGroup,
  ITrialGroupsResponse,
  ITrialRow,
  JSONNumber,
  MetricStat,
  ParameterValue
} from '../api/types';
import { toCSV } from './csv';
import { decodeJSONNumber } from './metrics';
import { CellValue, ITrialColumn } from './trialColumns';
import { describeSet, formatMeanSpread, Spread } from './verdict';

export interface ITrialGroupsSource {
  getTrialGroups(
    experimentName: string,
    query: { except: readonly string[]; spread?: Spread }
  ): Promise<ITrialGroupsResponse>;
}

/** A row of the grouped table: a group, or one of an expanded group's trials. */
export type GroupedRow =
  | { kind: 'group'; id: string; group: ITrialGroup; members: ITrialRow[] }
  | { kind: 'trial'; id: string; row: ITrialRow; groupId: string | null };

/** The variable averaged over by default. */
export const DEFAULT_AVERAGED = 'seed';

/** The group's objective values, beside the metric columns. */
const OBJECTIVE_KEY = 'ObjectiveValue';

/** How the server spells each statistic in `"<metric> - <Stat>"`. */
const STAT_NAMES: Record<MetricStat, string> = {
  min: 'Min',
  max: 'Max',
  avg: 'Avg',
  stddev: 'StdDev',
  last: 'Last',
  count: 'Count'
};

export class TrialGroupsModel {
  constructor(options: TrialGroupsModel.IOptions) {
    this.name = options.name;
    this._source = options.source;
  }

  readonly name: string;

  /** Whether the table shows group rows. */
  get enabled(): boolean {
    return this._enabled;
  }

  /** The variables averaged over (the groups are keyed by all the others). */
  get averagedOver(): readonly string[] {
    return this._averagedOver;
  }

  get spread(): Spread {
    return this._spread;
  }

  get groups(): readonly ITrialGroup[] {
    return this._response?.groups ?? [];
  }

  /** The variables the groups are keyed by, as the server reported them. */
  get by(): readonly string[] {
    return this._response?.by ?? [];
  }

  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The variables to offer: once the experiment's variables are known, the
   * default (`seed`, when there is one) is picked unless the user chose.
   */
  setVariables(variables: readonly string[]): void {
    this._variables = [...variables];
    if (!this._chosen) {
      this._averagedOver = variables.includes(DEFAULT_AVERAGED)
        ? [DEFAULT_AVERAGED]
        : [];
      this._changed.emit();
    }
  }

  get variables(): readonly string[] {
    return this._variables;
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this._enabled) {
      return;
    }
    this._enabled = enabled;
    this._changed.emit();
    if (enabled) {
      void this.refresh();
    }
  }

  setAveragedOver(variables: readonly string[]): void {
    this._chosen = true;
    this._averagedOver = [...variables];
    this._expanded = new Set();
    this._changed.emit();
    if (this._enabled) {
      void this.refresh();
    }
  }

  /** Add or remove one variable from those averaged over. */
  toggleAveraged(variable: string): void {
    const next = this._averagedOver.includes(variable)
      ? this._averagedOver.filter(name => name !== variable)
      : [...this._averagedOver, variable];
    this.setAveragedOver(next);
  }

  setSpread(spread: Spread): void {
    if (spread !== this._spread) {
      this._spread = spread;
      this._changed.emit();
      if (this._enabled) {
        void this.refresh();
      }
    }
  }

  isExpanded(id: string): boolean {
    return this._expanded.has(id);
  }

  toggleExpanded(id: string): void {
    this._expanded = new Set(this._expanded);
    if (!this._expanded.delete(id)) {
      this._expanded.add(id);
    }
    this._changed.emit();
  }

  /** Refetch the groups (only while enabled); concurrent calls share a request. */
  refresh(): Promise<void> {
    if (!this._enabled) {
      return Promise.resolve();
    }
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    this._loading = true;
    this._changed.emit();
    this._pending = this._load().finally(() => {
      this._pending = null;
      this._loading = false;
      if (this._again && !this._isDisposed) {
        this._again = false;
        void this.refresh();
      }
      if (!this._isDisposed) {
        this._changed.emit();
      }
    });
    return this._pending;
  }

  /** Set the server's answer directly (tests). */
  setResponse(response: ITrialGroupsResponse): void {
    this._response = response;
    this._error = null;
    this._changed.emit();
  }

  /**
   * The table's rows: groups with at least one visible trial, ordered by the
   * sorted metric column's mean when sorting by one, else where their first
   * visible trial stands; expanded groups followed by their visible trials.
   * Visible trials in no group come last, as plain rows.
   */
  rows(
    visible: readonly ITrialRow[],
    sort: { column: ITrialColumn; descending: boolean } | null = null
  ): GroupedRow[] {
    const groupOf = new Map<string, ITrialGroup>();
    for (const group of this.groups) {
      for (const trial of group.trials) {
        groupOf.set(trial, group);
      }
    }
    const members = new Map<ITrialGroup, ITrialRow[]>();
    const ungrouped: ITrialRow[] = [];
    for (const row of visible) {
      const group = groupOf.get(row.name);
      if (!group) {
        ungrouped.push(row);
        continue;
      }
      const list = members.get(group);
      if (list) {
        list.push(row);
      } else {
        members.set(group, [row]);
      }
    }
    let ordered = [...members.keys()];
    const column = sort?.column;
    if (column && (column.kind === 'objective' || column.stat)) {
      const direction = sort!.descending ? -1 : 1;
      const mean = (group: ITrialGroup) => {
        const value = decodeJSONNumber(groupStat(group, column)?.mean ?? null);
        return value === null || Number.isNaN(value) ? null : value;
      };
      ordered = ordered
        .map(group => ({ group, value: mean(group) }))
        .sort((a, b) => {
          if (a.value === null || b.value === null) {
            return a.value === b.value ? 0 : a.value === null ? 1 : -1;
          }
          return direction * (a.value - b.value);
        })
        .map(item => item.group);
    }
    const out: GroupedRow[] = [];
    for (const group of ordered) {
      const id = groupId(group);
      const list = members.get(group)!;
      out.push({ kind: 'group', id, group, members: list });
      if (this._expanded.has(id)) {
        for (const row of list) {
          out.push({ kind: 'trial', id: row.name, row, groupId: id });
        }
      }
    }
    for (const row of ungrouped) {
      out.push({ kind: 'trial', id: row.name, row, groupId: null });
    }
    return out;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    try {
      const response = await this._source.getTrialGroups(this.name, {
        except: this._averagedOver,
        spread: this._spread
      });
      if (!this._isDisposed) {
        this._response = response;
        this._error = null;
      }
    } catch (reason) {
      if (!this._isDisposed) {
        this._error = reason instanceof Error ? reason.message : String(reason);
      }
    }
  }

  private _source: ITrialGroupsSource;
  private _variables: string[] = [];
  private _enabled = false;
  private _chosen = false;
  private _averagedOver: string[] = [];
  private _spread: Spread = 'ci';
  private _response: ITrialGroupsResponse | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _expanded = new Set<string>();
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace TrialGroupsModel {
  export interface IOptions {
    name: string;
    source: ITrialGroupsSource;
  }
}

/** A stable id for a group: its key as JSON. */
export function groupId(group: ITrialGroup): string {
  return `group:${JSON.stringify(group.key)}`;
}

/** A group's numbers for a metric summary column, if the server sent them. */
export function groupStat(
  group: ITrialGroup,
  column: ITrialColumn
): IGroupMetric | undefined {
  if (column.kind === 'objective') {
    return group.metrics[OBJECTIVE_KEY];
  }
  if (column.kind !== 'metric' || !column.stat) {
    return undefined;
  }
  return group.metrics[`${column.key} - ${STAT_NAMES[column.stat]}`];
}

/**
 * What a group row shows in a column: its label in the name column, its key
 * value (or the distinct values averaged over) in a variable column, mean ±
 * spread in a metric summary column.
 */
export function groupCellText(
  group: ITrialGroup,
  members: readonly ITrialRow[],
  column: ITrialColumn,
  spread: Spread
): string {
  switch (column.kind) {
    case 'name':
      return describeSet(group.key) || '(all trials)';
    case 'experiment':
      return '';
    case 'variable': {
      if (column.key in group.key) {
        const value = group.key[column.key];
        return value === null ? '–' : String(value);
      }
      const values = new Set<ParameterValue>();
      for (const row of members) {
        const value = row.variables?.[column.key];
        if (value !== undefined) {
          values.add(value);
        }
      }
      return [...values].map(String).join(', ');
    }
    case 'objective':
    case 'metric': {
      const stat = groupStat(group, column);
      return stat ? formatMeanSpread(stat, spread) : '';
    }
    default:
      return '';
  }
}

/**
 * The grouped table as CSV, one line per group (and per trial in no group):
 * the group's label and n, each variable's value (the values averaged over,
 * joined), and for each metric summary column its mean with the low and high
 * ends of the spread shown (95% CI or ± sd), as raw numbers.
 */
export function groupsCSV(
  columns: readonly ITrialColumn[],
  rows: readonly GroupedRow[],
  spread: Spread
): string {
  const [low, high] =
    spread === 'ci'
      ? ['95% CI low', '95% CI high']
      : ['mean − sd', 'mean + sd'];
  const header: string[] = [];
  for (const column of columns) {
    if (column.kind === 'name') {
      header.push('Group', 'n');
    } else if (column.kind === 'variable') {
      header.push(column.label);
    } else if (column.kind === 'objective' || column.stat) {
      header.push(
        `${column.label} mean`,
        `${column.label} ${low}`,
        `${column.label} ${high}`
      );
    }
  }
  const number = (value: JSONNumber | null | undefined) => {
    const decoded = decodeJSONNumber(value ?? null);
    return decoded !== null && Number.isNaN(decoded) ? 'NaN' : decoded;
  };
  const records = rows
    .filter(row => row.kind === 'group' || row.groupId === null)
    .map(row => {
      const record: (string | number | null)[] = [];
      for (const column of columns) {
        if (row.kind === 'trial') {
          record.push(...trialCells(column, row.row));
        } else if (column.kind === 'name') {
          record.push(
            describeSet(row.group.key) || '(all trials)',
            row.group.n
          );
        } else if (column.kind === 'variable') {
          record.push(groupCellText(row.group, row.members, column, spread));
        } else if (column.kind === 'objective' || column.stat) {
          const stat = groupStat(row.group, column);
          record.push(number(stat?.mean), number(stat?.lo), number(stat?.hi));
        }
      }
      return record;
    });
  return toCSV(header, records);
}

/** A trial in no group, in the group CSV's columns: n 1, its own values. */
function trialCells(
  column: ITrialColumn,
  row: ITrialRow
): (string | number | null)[] {
  const raw = (value: CellValue): string | number | null =>
    typeof value === 'number'
      ? Number.isNaN(value)
        ? 'NaN'
        : value
      : value === null
        ? null
        : String(value);
  if (column.kind === 'name') {
    return [row.name, 1];
  }
  if (column.kind === 'variable') {
    return [raw(column.value(row))];
  }
  if (column.kind === 'objective' || column.stat) {
    return [raw(column.value(row)), null, null];
  }
  return [];
}
