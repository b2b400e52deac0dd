import { ISignal, Signal } from '@lumino/signaling';

import {
  IComponentDetail,
  IExperimentDetail,
  IExperimentSummary,
  ITrialRow,
  ParameterValue,
  Status
} from '../api/types';
import { IExperimentModel, ITrialbookSource } from '../tokens';
import { UpdateCoalescer } from './coalescer';
import {
  IMetricTail,
  TAIL_LENGTH,
  appendToTail,
  decodeJSONNumber,
  defaultMetric,
  extendSummary,
  mergeTail
} from './metrics';

/** Trials loaded per experiment in the sidebar (the experiment view pages). */
export const SIDEBAR_TRIAL_LIMIT = 500;

/**
 * One experiment: the list row, and once expanded its trials, components and
 * sparkline tails. Live updates patch it in place; REST loads replace it.
 */
export class ExperimentModel implements IExperimentModel {
  constructor(options: ExperimentModel.IOptions) {
    this._source = options.source;
    this._coalescer = options.coalescer;
    this._summary = options.summary;
  }

  get name(): string {
    return this._summary.name;
  }

  get summary(): IExperimentSummary {
    return this._summary;
  }

  get detail(): IExperimentDetail | null {
    return this._detail;
  }

  get trials(): readonly ITrialRow[] {
    return this._trials;
  }

  get components(): ReadonlyMap<string, IComponentDetail> {
    return this._components;
  }

  get trialsLoaded(): boolean {
    return this._trialsLoaded;
  }

  get loadingTrials(): boolean {
    return this._pending !== null;
  }

  get error(): string | null {
    return this._error;
  }

  get runningCount(): number {
    if (!this._trialsLoaded) {
      return this._summary.status_counts.InProgress ?? 0;
    }
    return this._trials.filter(trial => trial.status === 'InProgress').length;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  displayMetric(trial: ITrialRow): string | null {
    const objective =
      this._detail?.objective?.metric ?? this._summary.objective?.metric;
    if (objective) {
      return objective;
    }
    const names = Object.keys(trial.metrics);
    if (names.length) {
      return defaultMetric(names, null);
    }
    const tails = this._tails.get(trial.name);
    return tails && tails.size ? defaultMetric([...tails.keys()], null) : null;
  }

  tail(trial: string, metric: string): IMetricTail | undefined {
    return this._tails.get(trial)?.get(metric);
  }

  /** Replace the list row; notifies only when it differs. */
  setSummary(summary: IExperimentSummary): void {
    if (JSON.stringify(summary) !== JSON.stringify(this._summary)) {
      this._summary = summary;
      this._notify();
    }
  }

  /**
   * Load (or reload) trials, components and sparklines. Calls made while a
   * load runs share it.
   */
  loadTrials(): Promise<void> {
    if (!this._pending) {
      this._notify();
      this._pending = this._load().finally(() => {
        this._pending = null;
        this._notify();
        if (this._stale) {
          this._stale = false;
          void this.loadTrials();
        }
      });
    }
    return this._pending;
  }

  /**
   * Reload what is loaded: now, or right after the load that is running (its
   * answer may predate the change).
   */
  invalidate(): void {
    if (!this._trialsLoaded && !this._pending) {
      return;
    }
    if (this._pending) {
      this._stale = true;
      return;
    }
    void this.loadTrials();
  }

  /** Whether the trial is loaded here (live updates of others need a reload). */
  hasTrial(trial: string): boolean {
    return this._index.has(trial);
  }

  /** A component's status, live from the comm. */
  applyStatus(trials: readonly string[], status: Status): void {
    for (const name of trials) {
      this._patchTrial(name, row => ({ ...row, status }));
    }
  }

  applyParameters(
    trials: readonly string[],
    parameters: Record<string, ParameterValue>
  ): void {
    for (const name of trials) {
      this._patchTrial(name, row => ({
        ...row,
        parameters: { ...row.parameters, ...parameters }
      }));
    }
  }

  /** New points of one metric, live from the comm (they carry the values). */
  applyMetric(
    trials: readonly string[],
    metric: string,
    steps: readonly number[],
    values: readonly number[]
  ): void {
    for (const name of trials) {
      const tails = this._tailsOf(name);
      tails.set(metric, appendToTail(tails.get(metric), steps, values));
      this._patchTrial(name, row => ({
        ...row,
        metrics: {
          ...row.metrics,
          [metric]: extendSummary(row.metrics[metric], values)
        }
      }));
      this._notify();
    }
  }

  private async _load(): Promise<void> {
    try {
      const [detail, table, components] = await Promise.all([
        this._source.getExperiment(this.name),
        this._source.getTrialTable(this.name, { limit: SIDEBAR_TRIAL_LIMIT }),
        this._source.listComponents({ experiment: this.name })
      ]);
      this._detail = detail;
      this._trials = table.trials;
      this._index = new Map(table.trials.map((row, i) => [row.name, i]));
      this._components = new Map(components.map(c => [c.name, c]));
      this._trialsLoaded = true;
      this._error = null;
      this._notify();
      await this._loadTails();
    } catch (reason) {
      this._error = reason instanceof Error ? reason.message : String(reason);
    }
  }

  /** Sparkline points of each trial's displayed metric, in one request. */
  private async _loadTails(): Promise<void> {
    const byMetric = new Map<string, string[]>();
    for (const trial of this._trials) {
      const metric = this.displayMetric(trial);
      if (metric && trial.metrics[metric]) {
        byMetric.set(metric, [...(byMetric.get(metric) ?? []), trial.name]);
      }
    }
    for (const [metric, trials] of byMetric) {
      const response = await this._source.getMetricSeries({
        trials,
        names: [metric],
        maxPoints: TAIL_LENGTH
      });
      for (const series of response.series) {
        if (!series.trial) {
          continue;
        }
        const values = series.y.map(value => decodeJSONNumber(value) ?? NaN);
        const tails = this._tailsOf(series.trial);
        tails.set(
          metric,
          mergeTail({ steps: series.x, values }, tails.get(metric))
        );
      }
    }
    this._notify();
  }

  private _tailsOf(trial: string): Map<string, IMetricTail> {
    let tails = this._tails.get(trial);
    if (!tails) {
      tails = new Map();
      this._tails.set(trial, tails);
    }
    return tails;
  }

  private _patchTrial(
    name: string,
    patch: (row: ITrialRow) => ITrialRow
  ): void {
    const index = this._index.get(name);
    if (index === undefined) {
      return;
    }
    const trials = [...this._trials];
    trials[index] = patch(trials[index]);
    this._trials = trials;
    this._notify();
  }

  private _notify(): void {
    this._coalescer.schedule(this._emit);
  }

  private readonly _emit = () => this._changed.emit();
  private readonly _source: ITrialbookSource;
  private readonly _coalescer: UpdateCoalescer;
  private _summary: IExperimentSummary;
  private _detail: IExperimentDetail | null = null;
  private _trials: readonly ITrialRow[] = [];
  private _index = new Map<string, number>();
  private _components = new Map<string, IComponentDetail>();
  private readonly _tails = new Map<string, Map<string, IMetricTail>>();
  private _trialsLoaded = false;
  private _pending: Promise<void> | null = null;
  private _error: string | null = null;
  private _stale = false;
  private readonly _changed = new Signal<this, void>(this);
}

export namespace ExperimentModel {
  export interface IOptions {
    source: ITrialbookSource;
    coalescer: UpdateCoalescer;
    summary: IExperimentSummary;
  }
}

/** Latest value of a trial's metric under a summary statistic. */
export function summaryValue(
  trial: ITrialRow,
  metric: string,
  stat: 'last' | 'min' | 'max' | 'avg',
  tail: IMetricTail | undefined
): number | null {
  if (stat === 'last' && tail && tail.values.length) {
    return tail.values[tail.values.length - 1];
  }
  return decodeJSONNumber(trial.metrics[metric]?.[stat] ?? null);
}
