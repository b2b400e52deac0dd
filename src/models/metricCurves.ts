/**
 * The metric-curves chart of an experiment view: its settings and the series
 * it shows, fetched downsampled for the selected trials. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IMetricSeriesResponse, ITrialRow } from '../api/types';
import { ICurve, pointsPerTrace } from '../plot/curves';
import { decodeJSONNumber } from './metrics';

export type XAxisMode = 'step' | 'time' | 'relative';

export interface IMetricSeriesSource {
  getMetricSeries(query: {
    trials?: string[];
    names: string[];
    x?: 'step' | 'time';
    maxPoints?: number;
  }): Promise<IMetricSeriesResponse>;
}

export interface ICurveSettings {
  metric: string | null;
  xAxis: XAxisMode;
  /** EMA weight in [0, 0.99]. */
  smoothing: number;
  logY: boolean;
  /** A variable name: draw each group's mean and min–max band. */
  groupBy: string | null;
}

/** When nothing is selected, the first visible trials are drawn. */
export const DEFAULT_TRIALS = 20;
/** Grouping draws every visible trial, up to this many. */
export const MAX_GROUPED_TRIALS = 500;

export class MetricCurvesModel {
  constructor(source: IMetricSeriesSource) {
    this._source = source;
  }

  get settings(): Readonly<ICurveSettings> {
    return this._settings;
  }

  get curves(): readonly ICurve[] {
    return this._curves;
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  /** The zoomed x range, kept across live refreshes; null: autorange. */
  get xRange(): [number, number] | null {
    return this._xRange;
  }

  /** Emitted when settings or curves change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  update(settings: Partial<ICurveSettings>): void {
    const before = this._settings;
    this._settings = { ...before, ...settings };
    if (settings.xAxis !== undefined && settings.xAxis !== before.xAxis) {
      this._xRange = null;
    }
    this._changed.emit();
    if (
      this._settings.metric !== before.metric ||
      this._settings.xAxis !== before.xAxis ||
      this._settings.groupBy !== before.groupBy
    ) {
      void this.reload();
    }
  }

  /**
   * The trials to draw and the plot's width in pixels; refetches series when
   * they changed.
   */
  setTrials(trials: readonly ITrialRow[], plotWidth: number): void {
    this._trials = trials;
    this._plotWidth = plotWidth || this._plotWidth;
    void this.reload();
  }

  /**
   * The user zoomed: remember the window and refetch at a resolution that
   * gives that window full detail (the API has no range parameter, so the
   * whole series is asked for with proportionally more points).
   */
  setXRange(range: [number, number] | null): void {
    const same =
      range === this._xRange ||
      (range &&
        this._xRange &&
        range[0] === this._xRange[0] &&
        range[1] === this._xRange[1]);
    if (same) {
      return;
    }
    this._xRange = range;
    if (this._curves.some(curve => curve.downsampled)) {
      void this.reload();
    }
  }

  /** Refetch the series (live updates call this too). */
  async reload(): Promise<void> {
    const metric = this._settings.metric;
    const trials = this._trials;
    const token = ++this._token;
    if (!metric || !trials.length) {
      this._curves = [];
      this._changed.emit();
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      const maxPoints = pointsPerTrace(this._plotWidth, trials.length, {
        zoom: this._zoomFactor()
      });
      const names = trials.map(trial => trial.name);
      const batches: string[][] = [];
      for (let i = 0; i < names.length; i += 1000) {
        batches.push(names.slice(i, i + 1000));
      }
      const responses = await Promise.all(
        batches.map(batch =>
          this._source.getMetricSeries({
            trials: batch,
            names: [metric],
            x: this._settings.xAxis === 'step' ? 'step' : 'time',
            maxPoints
          })
        )
      );
      if (token !== this._token) {
        return;
      }
      const byName = new Map(trials.map(trial => [trial.name, trial]));
      const groupBy = this._settings.groupBy;
      const curves: ICurve[] = [];
      for (const response of responses) {
        for (const series of response.series) {
          const trial = series.trial ? byName.get(series.trial) : undefined;
          if (!trial) {
            continue;
          }
          let x = series.x;
          if (this._settings.xAxis === 'relative' && x.length) {
            const start = x[0];
            x = x.map(value => value - start);
          }
          curves.push({
            id: trial.name,
            label: trial.name,
            x,
            y: series.y.map(value => {
              const decoded = decodeJSONNumber(value);
              return decoded === null || Number.isNaN(decoded) ? null : decoded;
            }),
            group: groupBy
              ? String(trial.variables?.[groupBy] ?? '–')
              : undefined,
            downsampled: series.downsampled
          });
        }
      }
      this._curves = curves;
      this._error = null;
    } catch (reason) {
      if (token !== this._token) {
        return;
      }
      this._error = reason instanceof Error ? reason.message : String(reason);
    }
    this._loading = false;
    this._changed.emit();
  }

  private _zoomFactor(): number {
    if (!this._xRange) {
      return 1;
    }
    let low = Infinity;
    let high = -Infinity;
    for (const curve of this._curves) {
      if (curve.x.length) {
        low = Math.min(low, curve.x[0]);
        high = Math.max(high, curve.x[curve.x.length - 1]);
      }
    }
    const visible = this._xRange[1] - this._xRange[0];
    if (!(high > low) || !(visible > 0)) {
      return 1;
    }
    return Math.min(50, Math.max(1, (high - low) / visible));
  }

  private _source: IMetricSeriesSource;
  private _settings: ICurveSettings = {
    metric: null,
    xAxis: 'step',
    smoothing: 0,
    logY: false,
    groupBy: null
  };
  private _trials: readonly ITrialRow[] = [];
  private _plotWidth = 600;
  private _curves: ICurve[] = [];
  private _xRange: [number, number] | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _token = 0;
  private _changed = new Signal<this, void>(this);
}
