import { ISignal, Signal } from '@lumino/signaling';

import { IChange, IComponentDetail, Status } from '../api/types';
import { ILiveSnapshotItem, LiveEvent } from '../kernel/validate';
import {
  IExpansionState,
  ILiveUpdate,
  ITrialbookModel,
  ITrialbookSource
} from '../tokens';
import { UpdateCoalescer } from './coalescer';
import { ExperimentModel } from './experiment';
import { SummaryStat } from './metrics';

/** Change-feed kinds the comm also reports for a component it is writing. */
const LIVE_KINDS = new Set([
  'metrics.appended',
  'component.status',
  'component.updated',
  'parameters.logged',
  'artifact.logged'
]);

/**
 * Everything the sidebar shows. Three feeds, one state:
 * - REST for the initial load and every reload (the store is the truth);
 * - the comm (`applyLiveUpdate`): instant, carries the points themselves;
 * - the change feed (`applyChanges`): every other writer of the store.
 * A component the comm reported recently is not reloaded when the change
 * feed reports the same write again.
 */
export class TrialbookModel implements ITrialbookModel {
  constructor(options: TrialbookModel.IOptions) {
    this._source = options.source;
    this._coalescer = options.coalescer ?? new UpdateCoalescer();
    this._reloadDelay = options.reloadDelay ?? 250;
    this._liveWindow = options.liveWindow ?? 15_000;
    this._now = options.now ?? (() => Date.now());
  }

  get experiments(): readonly ExperimentModel[] {
    return this._experiments;
  }

  get visibleExperiments(): readonly ExperimentModel[] {
    const needle = this._query.trim().toLocaleLowerCase();
    if (!needle) {
      return this._experiments;
    }
    return this._experiments.filter(({ summary }) =>
      [summary.name, summary.hypothesis, summary.description].some(text =>
        text?.toLocaleLowerCase().includes(needle)
      )
    );
  }

  get query(): string {
    return this._query;
  }

  set query(value: string) {
    if (value !== this._query) {
      this._query = value;
      this._notify();
    }
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  get unassigned(): readonly IComponentDetail[] | null {
    return this._unassigned;
  }

  get metricSummary(): SummaryStat {
    return this._metricSummary;
  }

  set metricSummary(value: SummaryStat) {
    if (value !== this._metricSummary) {
      this._metricSummary = value;
      this._notify();
    }
  }

  /** Live notifications per second (the "update rate" setting). */
  get updateRate(): number {
    return this._coalescer.rate;
  }

  set updateRate(value: number) {
    this._coalescer.rate = value;
  }

  get expansion(): IExpansionState {
    return this._expansion;
  }

  /** Whether anything is InProgress (its status may turn Interrupted). */
  get hasRunning(): boolean {
    return this._experiments.some(
      experiment =>
        experiment.summary.status === 'InProgress' ||
        experiment.runningCount > 0
    );
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  experiment(name: string): ExperimentModel | undefined {
    return this._byName.get(name);
  }

  /** Reload the list, every loaded experiment and the unassigned group. */
  async refresh(): Promise<void> {
    await this._reloadList();
    const loaded = this._experiments.filter(e => e.trialsLoaded);
    for (const experiment of loaded) {
      experiment.invalidate();
    }
    if (this._unassigned !== null) {
      await this.loadUnassigned();
    }
  }

  async loadUnassigned(): Promise<void> {
    try {
      this._unassigned = await this._source.listComponents({
        unassigned: true
      });
    } catch (reason) {
      this._error = errorMessage(reason);
    }
    this._notify();
  }

  /** What a kernel's comm delivered. */
  applyLiveUpdate(update: ILiveUpdate): void {
    if (update.resync) {
      this._scheduleReload({ everything: true });
    }
    for (const component of update.snapshot ?? []) {
      this._applySnapshotItem(component);
    }
    for (const event of update.events) {
      this._applyEvent(event);
    }
  }

  /** What the change feed reported: reload what it touched, unless live. */
  applyChanges(changes: readonly IChange[]): void {
    const now = this._now();
    for (const change of changes) {
      const live = this._liveComponents.get(change.entity_name);
      if (
        change.entity_type === 'component' &&
        LIVE_KINDS.has(change.kind) &&
        live !== undefined &&
        now - live < this._liveWindow
      ) {
        continue; // the comm already delivered this write
      }
      const experiments = membership(change);
      if (experiments.length === 0 && change.entity_type === 'component') {
        this._scheduleReload({ unassigned: true });
      }
      this._scheduleReload({ list: true, experiments });
    }
  }

  /** The change feed was reset (store recreated, cursor too old). */
  reset(): void {
    this._scheduleReload({ everything: true });
  }

  dispose(): void {
    if (this._reloadTimer !== null) {
      clearTimeout(this._reloadTimer);
    }
    Signal.clearData(this);
  }

  private _applySnapshotItem(component: ILiveSnapshotItem): void {
    this._markLive(component.component);
    this._forExperiments(component.experiments, component.trials, exp => {
      exp.applyStatus(component.trials, component.status as Status);
      for (const [metric, delta] of Object.entries(component.latest)) {
        exp.applyMetric(
          component.trials,
          metric,
          Array.from(delta.steps),
          Array.from(delta.values)
        );
      }
    });
  }

  private _applyEvent(event: LiveEvent): void {
    switch (event.kind) {
      case 'experiment':
        this._scheduleReload({ list: true, experiments: [event.experiment] });
        return;
      case 'trial':
        this._scheduleReload({ list: true, experiments: [event.experiment] });
        return;
      case 'component':
        this._markLive(event.component);
        this._scheduleReload({
          list: true,
          experiments: event.experiments,
          unassigned: event.experiments.length === 0
        });
        return;
      case 'status':
        this._markLive(event.component);
        this._forExperiments(event.experiments, event.trials, exp =>
          exp.applyStatus(event.trials, event.status as Status)
        );
        // Counts, end times and summaries: reconcile with the store.
        this._scheduleReload({ list: true, experiments: event.experiments });
        return;
      case 'parameters':
        this._markLive(event.component);
        this._forExperiments(event.experiments, event.trials, exp =>
          exp.applyParameters(event.trials, event.parameters)
        );
        return;
      case 'metrics':
        this._markLive(event.component);
        this._forExperiments(event.experiments, event.trials, exp => {
          for (const [metric, delta] of Object.entries(event.series)) {
            exp.applyMetric(
              event.trials,
              metric,
              Array.from(delta.steps),
              Array.from(delta.values)
            );
          }
        });
        return;
      case 'artifact':
        this._markLive(event.component);
        return;
    }
  }

  /**
   * Apply a live change to each experiment; an experiment not yet known, or
   * loaded without one of the trials, is reloaded over REST.
   */
  private _forExperiments(
    experiments: readonly string[],
    trials: readonly string[],
    apply: (experiment: ExperimentModel) => void
  ): void {
    for (const name of experiments) {
      const experiment = this._byName.get(name);
      if (!experiment) {
        this._scheduleReload({ list: true });
        continue;
      }
      if (
        experiment.trialsLoaded &&
        trials.some(trial => !experiment.hasTrial(trial))
      ) {
        this._scheduleReload({ list: true, experiments: [name] });
      }
      apply(experiment);
    }
  }

  private _markLive(component: string): void {
    this._liveComponents.set(component, this._now());
  }

  /** Gather reload requests for a short while, then reload once. */
  private _scheduleReload(request: IReloadRequest): void {
    const pending = this._pendingReload;
    pending.everything ||= request.everything ?? false;
    pending.list ||= request.list ?? false;
    pending.unassigned ||= request.unassigned ?? false;
    for (const name of request.experiments ?? []) {
      pending.experiments.add(name);
    }
    if (this._reloadTimer === null) {
      this._reloadTimer = setTimeout(() => {
        this._reloadTimer = null;
        void this._runReload();
      }, this._reloadDelay);
    }
  }

  private async _runReload(): Promise<void> {
    const request = this._pendingReload;
    this._pendingReload = { experiments: new Set() };
    if (request.everything) {
      await this.refresh();
      return;
    }
    if (request.list || request.experiments.size) {
      await this._reloadList();
    }
    for (const name of request.experiments) {
      this._byName.get(name)?.invalidate();
    }
    if (request.unassigned && this._unassigned !== null) {
      await this.loadUnassigned();
    }
  }

  /** Reload the experiment list; overlapping calls share one request. */
  private _reloadList(): Promise<void> {
    if (!this._listPending) {
      this._listPending = this._loadList().finally(() => {
        this._listPending = null;
      });
    }
    return this._listPending;
  }

  private async _loadList(): Promise<void> {
    this._loading = true;
    this._notify();
    try {
      const summaries = await this._source.listExperiments();
      this._error = null;
      const next: ExperimentModel[] = [];
      const byName = new Map<string, ExperimentModel>();
      for (const summary of summaries) {
        let experiment = this._byName.get(summary.name);
        if (experiment) {
          experiment.setSummary(summary);
        } else {
          experiment = new ExperimentModel({
            source: this._source,
            coalescer: this._coalescer,
            summary
          });
        }
        next.push(experiment);
        byName.set(summary.name, experiment);
      }
      const membershipChanged =
        next.length !== this._experiments.length ||
        next.some((experiment, i) => experiment !== this._experiments[i]);
      if (membershipChanged) {
        this._experiments = next;
        this._byName = byName;
      }
    } catch (reason) {
      this._error = errorMessage(reason);
    } finally {
      this._loading = false;
      this._notify();
    }
  }

  private _notify(): void {
    this._coalescer.schedule(this._emit);
  }

  private readonly _emit = () => this._changed.emit();
  private readonly _source: ITrialbookSource;
  private readonly _coalescer: UpdateCoalescer;
  private readonly _reloadDelay: number;
  private readonly _liveWindow: number;
  private readonly _now: () => number;
  private _experiments: readonly ExperimentModel[] = [];
  private _byName = new Map<string, ExperimentModel>();
  private _unassigned: IComponentDetail[] | null = null;
  private _query = '';
  private _loading = false;
  private _error: string | null = null;
  private _metricSummary: SummaryStat = 'last';
  private _listPending: Promise<void> | null = null;
  private _pendingReload: IPendingReload = { experiments: new Set() };
  private _reloadTimer: ReturnType<typeof setTimeout> | null = null;
  /** Component name → when the comm last reported it. */
  private readonly _liveComponents = new Map<string, number>();
  private readonly _expansion = new ExpansionState();
  private readonly _changed = new Signal<this, void>(this);
}

export namespace TrialbookModel {
  export interface IOptions {
    source: ITrialbookSource;
    coalescer?: UpdateCoalescer;
    /** How long reload requests are gathered, in ms. */
    reloadDelay?: number;
    /** How long after a comm report the change feed's echo is ignored, in ms. */
    liveWindow?: number;
    now?: () => number;
  }
}

interface IReloadRequest {
  everything?: boolean;
  list?: boolean;
  unassigned?: boolean;
  experiments?: readonly string[];
}

interface IPendingReload {
  everything?: boolean;
  list?: boolean;
  unassigned?: boolean;
  experiments: Set<string>;
}

/** The tree's expanded node keys. */
export class ExpansionState implements IExpansionState {
  isExpanded(key: string): boolean {
    return this._expanded.has(key);
  }

  toggle(key: string, expanded = !this._expanded.has(key)): void {
    if (expanded === this._expanded.has(key)) {
      return;
    }
    if (expanded) {
      this._expanded.add(key);
    } else {
      this._expanded.delete(key);
    }
    this._changed.emit();
  }

  collapseAll(): void {
    if (this._expanded.size) {
      this._expanded.clear();
      this._changed.emit();
    }
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  private readonly _expanded = new Set<string>();
  private readonly _changed = new Signal<this, void>(this);
}

/** The experiments a change touches. */
function membership(change: IChange): string[] {
  const listed = change.payload.experiments;
  if (Array.isArray(listed) && listed.every(item => typeof item === 'string')) {
    return listed.length
      ? (listed as string[])
      : change.experiment_name
        ? [change.experiment_name]
        : [];
  }
  return change.experiment_name ? [change.experiment_name] : [];
}

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
