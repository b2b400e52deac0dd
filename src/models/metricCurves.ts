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
    xMin?: number;
    xMax?: number;
  }): Promise<IMetricSeriesResponse>;
}

export interface IMetricCurvesOptions {
  /** How long a zoom must settle before its window is fetched (ms). */
  zoomDelay?: number;
}

export interface ICurveSettings {
  metric: string | null;
  xAxis: XAxisMode;
  /** EMA weight in [0, 0.99]. */
  smoothing: number;
  logY: boolean;
  /** A variable name: draw each group's mean and min–max band. */
  groupBy: string | null;
  /** Grouped curves also show each group's 95% confidence band. */
  ciBand: boolean;
}

/** When nothing is selected, the first visible trials are drawn. */
export const DEFAULT_TRIALS = 20;
/** A zoomed window is fetched this much wider on each side (fraction of its width). */
const ZOOM_PADDING = 0.05;
/** Grouping draws every visible trial, up to this many. */
export const MAX_GROUPED_TRIALS = 500;

export class MetricCurvesModel {
  constructor(source: IMetricSeriesSource, options: IMetricCurvesOptions = {}) {
    this._source = source;
    this._zoomDelay = options.zoomDelay ?? 250;
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

  /** The x window the current curves were fetched for; null: whole series. */
  get fetchedRange(): [number, number] | null {
    return this._fetchedRange;
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
   * The user zoomed (a range) or reset the zoom (null). The range is kept
   * across live refreshes; once the user stops zooming for `zoomDelay`, the
   * visible window is refetched at full detail (or the overview after a reset).
   * Relative time has one origin per trial, so it zooms the overview only.
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
    this._cancelZoomFetch();
    if (this._needsFetchFor(range)) {
      this._zoomTimer = setTimeout(() => {
        this._zoomTimer = null;
        void this.reload();
      }, this._zoomDelay);
    }
  }

  dispose(): void {
    this._cancelZoomFetch();
    this._token++;
    Signal.clearData(this);
  }

  /** Refetch the series (live updates call this too). */
  async reload(): Promise<void> {
    const metric = this._settings.metric;
    const trials = this._trials;
    const token = ++this._token;
    this._cancelZoomFetch();
    if (!metric || !trials.length) {
      this._curves = [];
      this._changed.emit();
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      const maxPoints = pointsPerTrace(this._plotWidth, trials.length);
      const xWindow = this._windowToFetch();
      const names = trials.map(trial => trial.name);
      const batches: string[][] = [];
      for (let i = 0; i < names.length; i += 1000) {
        batches.push(names.slice(i, i + 1000));
      }
      const fetchStarted = performance.now();
      const responses = await Promise.all(
        batches.map(batch =>
          this._source.getMetricSeries({
            trials: batch,
            names: [metric],
            x: this._settings.xAxis === 'step' ? 'step' : 'time',
            maxPoints,
            ...(xWindow ? { xMin: xWindow[0], xMax: xWindow[1] } : {})
          })
        )
      );
      if (token !== this._token) {
        return;
      }
      const shapeStarted = performance.now();
      measure('trialbook:curves-fetch', fetchStarted, shapeStarted);
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
      this._fetchedRange = xWindow;
      this._error = null;
      measure('trialbook:curves-shape', shapeStarted);
    } catch (reason) {
      if (token !== this._token) {
        return;
      }
      this._error = reason instanceof Error ? reason.message : String(reason);
    }
    this._loading = false;
    this._changed.emit();
  }

  /** The window a fetch asks for: the zoomed range, padded so a short pan keeps detail. */
  private _windowToFetch(): [number, number] | null {
    const range = this._xRange;
    if (!range || this._settings.xAxis === 'relative') {
      return null;
    }
    const pad = (range[1] - range[0]) * ZOOM_PADDING;
    return [range[0] - pad, range[1] + pad];
  }

  /** Whether showing `range` needs other points than the ones already fetched. */
  private _needsFetchFor(range: [number, number] | null): boolean {
    if (!this._settings.metric || !this._trials.length) {
      return false;
    }
    const fetched = this._fetchedRange;
    if (!range || this._settings.xAxis === 'relative') {
      // Back to the overview: only a windowed fetch must be replaced.
      return fetched !== null;
    }
    const covered =
      !fetched || (fetched[0] <= range[0] && range[1] <= fetched[1]);
    // Every point of the window is here already: nothing finer to fetch.
    return !covered || this._curves.some(curve => curve.downsampled);
  }

  private _cancelZoomFetch(): void {
    if (this._zoomTimer !== null) {
      clearTimeout(this._zoomTimer);
      this._zoomTimer = null;
    }
  }

  private _source: IMetricSeriesSource;
  private _settings: ICurveSettings = {
    metric: null,
    xAxis: 'step',
    smoothing: 0,
    logY: false,
    groupBy: null,
    ciBand: false
  };
  private _trials: readonly ITrialRow[] = [];
  private _plotWidth = 600;
  private _curves: ICurve[] = [];
  private _xRange: [number, number] | null = null;
  private _fetchedRange: [number, number] | null = null;
  private _zoomDelay: number;
  private _zoomTimer: ReturnType<typeof setTimeout> | null = null;
  private _loading = false;
  private _error: string | null = null;
  private _token = 0;
  private _changed = new Signal<this, void>(this);
}

/**
 * A User Timing entry, so benchmarks can split the app's work from plotly's;
 * a no-op where the runtime lacks measure options (jsdom).
 */
function measure(name: string, start: number, end = performance.now()): void {
  try {
    performance.measure(name, { start, end });
  } catch {
    // Timing is diagnostics only.
  }
}
