/**
 * The state of one inline chart (`exp.plot(...)` in a cell's output): its
 * settings and series, loaded over REST once, then grown from the points the
 * kernels' comms deliver. No DOM; the output's renderer draws it.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IMetricSeriesResponse,
  ITrialTableResponse,
  ParameterValue
} from '../api/types';
import { LiveEvent } from '../kernel/validate';
import { IChartPayload } from '../mime/payload';
import { XAxisMode } from './metricCurves';
import { ICurve, pointsPerTrace } from '../plot/curves';
import { ILiveUpdate } from '../tokens';
import { decodeJSONNumber } from './metrics';

/** What the chart reads over REST; the REST client satisfies it. */
export interface IInlineChartSource {
  getMetricSeries(query: {
    trials?: string[];
    components?: string[];
    names: string[];
    x?: 'step' | 'time';
    maxPoints?: number;
  }): Promise<IMetricSeriesResponse>;
  getTrialTable(experimentName: string): Promise<ITrialTableResponse>;
}

export interface IInlineChartSettings {
  xAxis: XAxisMode;
  /** EMA weight in [0, 1). */
  smoothing: number;
  logY: boolean;
  groupBy: string | null;
  /** Grouped curves also show each group's 95% confidence band. */
  ciBand: boolean;
}

/** One owner's points, x raw (steps or epoch seconds). */
interface ISeries {
  id: string;
  x: number[];
  y: (number | null)[];
  downsampled: boolean;
}

/** A live-grown series is refetched (downsampled) past this many times the budget. */
const REFETCH_FACTOR = 4;

export class InlineChartModel {
  constructor(options: InlineChartModel.IOptions) {
    this._source = options.source;
    this._payload = options.payload;
    this._reloadDelay = options.reloadDelay ?? 300;
    this._owners = new Set(options.payload.owners);
    const { x, smoothing, log_y, group_by } = options.payload.options;
    this._settings = {
      xAxis: x,
      smoothing,
      logY: log_y,
      groupBy: group_by,
      ciBand: false
    };
  }

  get payload(): IChartPayload {
    return this._payload;
  }

  get settings(): Readonly<IInlineChartSettings> {
    return this._settings;
  }

  /** Variable names trials can be grouped by (an experiment's chart only). */
  get variables(): readonly string[] {
    return this._variableNames;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** Bumped whenever what the chart draws changes. */
  get version(): number {
    return this._version;
  }

  /** Total points held, over every curve. */
  get pointCount(): number {
    let count = 0;
    for (const series of this._series.values()) {
      count += series.x.length;
    }
    return count;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The curves to draw, in owner order. */
  get curves(): readonly ICurve[] {
    if (!this._curves) {
      this._curves = this._buildCurves();
    }
    return this._curves;
  }

  update(settings: Partial<IInlineChartSettings>): void {
    const before = this._settings;
    this._settings = { ...before, ...settings };
    if (
      this._settings.xAxis !== before.xAxis &&
      (this._settings.xAxis === 'step') !== (before.xAxis === 'step')
    ) {
      // Steps and wall times are different series: refetch.
      void this.load();
    }
    this._touch();
  }

  /** The plot's width in pixels, which sets the downsampling budget. */
  setPlotWidth(width: number): void {
    if (width > 0) {
      this._plotWidth = width;
    }
  }

  /** Fetch every series over REST (downsampled); live points keep coming. */
  async load(): Promise<void> {
    const token = ++this._token;
    this._loading = true;
    this._changed.emit();
    try {
      const { experiment, scope, owner_kind, metric } = this._payload;
      if (scope === 'experiment' && experiment) {
        const table = await this._source.getTrialTable(experiment);
        if (token !== this._token || this._disposed) {
          return;
        }
        for (const row of table.trials) {
          this._owners.add(row.name);
          this._variables.set(row.name, row.variables ?? {});
        }
        this._variableNames = table.columns.variables;
      }
      const owners = [...this._owners];
      const xMode = this._settings.xAxis === 'step' ? 'step' : 'time';
      const series = new Map<string, ISeries>();
      if (owners.length) {
        const response = await this._source.getMetricSeries({
          ...(owner_kind === 'trial'
            ? { trials: owners }
            : { components: owners }),
          names: [metric],
          x: xMode,
          maxPoints: this._budget()
        });
        if (token !== this._token || this._disposed) {
          return;
        }
        for (const item of response.series) {
          const id = owner_kind === 'trial' ? item.trial : item.component;
          if (!id) {
            continue;
          }
          series.set(id, {
            id,
            x: item.x,
            y: item.y.map(value => {
              const decoded = decodeJSONNumber(value);
              return decoded === null || !Number.isFinite(decoded)
                ? null
                : decoded;
            }),
            downsampled: item.downsampled
          });
        }
      }
      // Points the comm delivered that REST does not have yet (it lags the
      // kernel's writes): keep them.
      const previous = this._seriesMode === xMode ? this._series : new Map();
      this._series = series;
      this._seriesMode = xMode;
      for (const old of previous.values()) {
        this._append(old.id, old.x, old.y);
      }
      this._error = null;
    } catch (reason) {
      if (token !== this._token) {
        return;
      }
      this._error = reason instanceof Error ? reason.message : String(reason);
    }
    this._loading = false;
    this._touch();
  }

  /** What a kernel's comm delivered: append the points that concern us. */
  applyLiveUpdate(update: ILiveUpdate): void {
    if (this._disposed) {
      return;
    }
    if (update.resync) {
      this._scheduleReload();
    }
    let grew = false;
    for (const event of update.events) {
      grew = this._applyEvent(event) || grew;
    }
    if (grew) {
      this._touch();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._reloadTimer !== null) {
      clearTimeout(this._reloadTimer);
    }
    Signal.clearData(this);
  }

  private _applyEvent(event: LiveEvent): boolean {
    if (event.kind !== 'metrics') {
      return false;
    }
    const delta = event.series[this._payload.metric];
    if (!delta) {
      return false;
    }
    const { owner_kind, scope, experiment } = this._payload;
    const targets: string[] = [];
    if (owner_kind === 'component') {
      if (this._owners.has(event.component)) {
        targets.push(event.component);
      }
    } else {
      for (const trial of event.trials) {
        if (this._owners.has(trial)) {
          targets.push(trial);
        } else if (
          scope === 'experiment' &&
          experiment &&
          event.experiments.includes(experiment)
        ) {
          // A trial created after the chart: draw it, and learn its variables.
          this._owners.add(trial);
          targets.push(trial);
          this._scheduleReload();
        }
      }
    }
    if (!targets.length) {
      return false;
    }
    const x = Array.from(
      this._settings.xAxis === 'step' ? delta.steps : delta.times
    );
    const y = Array.from(delta.values, value =>
      Number.isFinite(value) ? value : null
    );
    for (const id of targets) {
      this._append(id, x, y);
    }
    return true;
  }

  /** Append points past the series' last x (a point seen twice counts once). */
  private _append(id: string, x: number[], y: (number | null)[]): void {
    let series = this._series.get(id);
    if (!series) {
      series = { id, x: [], y: [], downsampled: false };
      this._series.set(id, series);
    }
    let last = series.x.length ? series.x[series.x.length - 1] : -Infinity;
    for (let i = 0; i < x.length; i++) {
      if (x[i] > last) {
        series.x.push(x[i]);
        series.y.push(y[i]);
        last = x[i];
      }
    }
    if (series.x.length > REFETCH_FACTOR * this._budget()) {
      this._scheduleReload();
    }
  }

  private _scheduleReload(): void {
    if (this._reloadTimer !== null || this._disposed) {
      return;
    }
    this._reloadTimer = setTimeout(() => {
      this._reloadTimer = null;
      void this.load();
    }, this._reloadDelay);
  }

  private _budget(): number {
    return pointsPerTrace(this._plotWidth, Math.max(1, this._owners.size));
  }

  private _buildCurves(): ICurve[] {
    const relative = this._settings.xAxis === 'relative';
    const groupBy = this._settings.groupBy;
    const curves: ICurve[] = [];
    const ordered = [...this._owners].filter(id => this._series.has(id));
    for (const id of ordered) {
      const series = this._series.get(id)!;
      if (!series.x.length) {
        continue;
      }
      const start = series.x[0];
      const variables: Record<string, ParameterValue> =
        this._variables.get(id) ?? {};
      const assigned = Object.entries(variables);
      curves.push({
        id,
        // An experiment's trials differ by their variables: say which.
        label: assigned.length
          ? assigned.map(([key, value]) => `${key}=${String(value)}`).join(', ')
          : id,
        // Copies: plotly must see new arrays to redraw a grown trace.
        x: relative ? series.x.map(value => value - start) : [...series.x],
        y: [...series.y],
        group: groupBy ? String(variables[groupBy] ?? '–') : undefined,
        downsampled: series.downsampled
      });
    }
    return curves;
  }

  private _touch(): void {
    this._curves = null;
    this._version += 1;
    this._changed.emit();
  }

  private readonly _source: IInlineChartSource;
  private readonly _payload: IChartPayload;
  private readonly _reloadDelay: number;
  private readonly _owners: Set<string>;
  private readonly _variables = new Map<
    string,
    Record<string, ParameterValue>
  >();
  private _variableNames: readonly string[] = [];
  private _settings: IInlineChartSettings;
  private _series = new Map<string, ISeries>();
  private _curves: ICurve[] | null = null;
  /** What the series' x holds: steps, or wall times. */
  private _seriesMode: 'step' | 'time' = 'step';
  private _plotWidth = 600;
  private _loading = false;
  private _error: string | null = null;
  private _token = 0;
  private _version = 0;
  private _reloadTimer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
}

export namespace InlineChartModel {
  export interface IOptions {
    source: IInlineChartSource;
    payload: IChartPayload;
    /** How long a reload request waits for more, in ms. */
    reloadDelay?: number;
  }
}
