/**
 * Metric curves: one line per trial (SVG, or WebGL for very many points), or per group a mean line with a
 * min–max band. Data in, plot out: the experiment view and the inline
 * notebook renderer both use this component.
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { groupCurves, ICurve, smooth } from '../../plot/curves';
import { baseLayout, IPlotTheme, withAlpha } from '../../plot/theme';
import { IPlotElement, PlotlyChart } from './PlotlyChart';

export type MetricXAxis = 'step' | 'time' | 'relative';

export interface IMetricChartProps {
  curves: readonly ICurve[];
  metric: string;
  xAxis: MetricXAxis;
  /** EMA weight in [0, 1). */
  smoothing: number;
  logY: boolean;
  /** Draw each `curve.group` as mean + band; its name labels the legend. */
  groupBy: string | null;
  /** With `groupBy`: also draw each group's 95% confidence band of the mean. */
  ciBand?: boolean;
  theme: IPlotTheme;
  /** Curve ids drawn emphasized (e.g. the table's selection). */
  highlighted?: ReadonlySet<string>;
  xRange?: [number, number] | null;
  onXRangeChange?(range: [number, number] | null): void;
  onCurveClick?(id: string, additive: boolean): void;
  resized?: ISignal<unknown, void> | null;
  /** Where the legend goes: beside the plot (default) or under it. */
  legend?: 'right' | 'bottom';
  /** Called after each draw with plotly's graph div. */
  onDrawn?(element: IPlotElement): void;
  /**
   * Hide the legend when more curves than this are drawn (default
   * `MAX_LEGEND_ENTRIES`); hover still names each trial.
   */
  maxLegendEntries?: number;
  /**
   * How trial curves are drawn: SVG, WebGL, or `auto` (default): SVG up to
   * `SVG_MAX_POINTS` points in all, WebGL beyond.
   */
  renderer?: 'auto' | 'svg' | 'webgl';
}

/**
 * Up to this many points (the server's per-chart budget) trial curves are
 * drawn in SVG: measured on a machine without a GPU (software WebGL), SVG
 * drew the same 100 × 2,000 points in about half the time of `scattergl`, and
 * SVG charts hold no WebGL context (browsers keep only 8–16 alive), which
 * matters when a notebook shows many inline charts.
 */
export const SVG_MAX_POINTS = 200_000;

/**
 * Above this many curves the legend is hidden: a hundred entries cannot be
 * read, and plotly lays each one out (and widens the margin for them) on
 * every draw.
 */
export const MAX_LEGEND_ENTRIES = 20;

const X_TITLES: Record<MetricXAxis, string> = {
  step: 'step',
  time: 'wall time',
  relative: 'relative time (s)'
};

/** A line needs two points: a one-point series (one epoch, one score) is a marker. */
function lineMode(x: readonly number[]): 'lines' | 'lines+markers' {
  return x.length === 1 ? 'lines+markers' : 'lines';
}

function toPlotX(x: number[], mode: MetricXAxis): (number | string)[] {
  // Wall times arrive as epoch seconds; plotly's date axis wants milliseconds.
  return mode === 'time' ? x.map(value => value * 1000) : x;
}

export function buildMetricTraces(
  props: IMetricChartProps
): Record<string, unknown>[] {
  const { curves, theme, smoothing, xAxis } = props;
  const traces: Record<string, unknown>[] = [];
  const color = (i: number) => theme.colorway[i % theme.colorway.length];
  if (props.groupBy) {
    const groups = groupCurves(
      curves.map(curve => ({ ...curve, y: smooth(curve.y, smoothing) }))
    );
    const meanType = curveTraceType(
      groups.map(group => ({ id: group.group, label: '', x: group.x, y: [] })),
      props.renderer
    );
    // Bands first: a later group's band must not veil an earlier group's mean.
    const bands: Record<string, unknown>[] = [];
    groups.forEach((group, i) => {
      const name = `${props.groupBy}=${group.group}`;
      const x = toPlotX(group.x, xAxis);
      bands.push({
        type: 'scatter',
        mode: 'lines',
        x: [...x, ...[...x].reverse()],
        y: [...group.max, ...[...group.min].reverse()],
        fill: 'toself',
        fillcolor: withAlpha(color(i), 0.18),
        line: { width: 0, color: color(i) },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: name,
        name: `${name} min–max`,
        meta: { role: 'band', group: group.group }
      });
      if (props.ciBand) {
        bands.push({
          type: 'scatter',
          mode: 'lines',
          x: [...x, ...[...x].reverse()],
          y: [...group.ciHigh, ...[...group.ciLow].reverse()],
          fill: 'toself',
          fillcolor: withAlpha(color(i), 0.35),
          line: { width: 0, color: color(i) },
          hoverinfo: 'skip',
          showlegend: false,
          legendgroup: name,
          name: `${name} 95% CI`,
          meta: { role: 'ci', group: group.group }
        });
      }
      traces.push({
        type: meanType,
        mode: lineMode(group.x),
        x,
        y: group.mean,
        name: `${name} (mean of ${group.count})`,
        legendgroup: name,
        line: { width: 2.5, color: color(i) },
        hovertemplate: `${escapeTemplate(name)} mean: %{y:.4g}<br>${X_TITLES[xAxis]}: %{x}<extra></extra>`,
        meta: { role: 'mean', group: group.group }
      });
    });
    traces.unshift(...bands);
    return traces;
  }
  const highlighted = props.highlighted;
  const type = curveTraceType(curves, props.renderer);
  curves.forEach((curve, i) => {
    const x = toPlotX(curve.x, xAxis);
    const emphasized = !highlighted?.size || highlighted.has(curve.id);
    const label = escapeTemplate(curve.label);
    if (smoothing > 0) {
      traces.push({
        type,
        mode: 'lines',
        x,
        y: curve.y,
        name: `${curve.label} (raw)`,
        line: { width: 1, color: withAlpha(color(i), 0.25) },
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: curve.id,
        meta: { role: 'raw', id: curve.id }
      });
    }
    traces.push({
      type,
      mode: lineMode(curve.x),
      x,
      y: smoothing > 0 ? smooth(curve.y, smoothing) : curve.y,
      name: curve.label,
      legendgroup: curve.id,
      line: { width: emphasized ? 2 : 1, color: color(i) },
      opacity: emphasized ? 1 : 0.35,
      connectgaps: false,
      hovertemplate: `${label}<br>${X_TITLES[xAxis]}: %{x}<br>${escapeTemplate(props.metric)}: %{y:.4g}<extra></extra>`,
      meta: { role: 'trial', id: curve.id }
    });
  });
  return traces;
}

function curveTraceType(
  curves: readonly ICurve[],
  renderer: IMetricChartProps['renderer'] = 'auto'
): 'scatter' | 'scattergl' {
  if (renderer !== 'auto') {
    return renderer === 'svg' ? 'scatter' : 'scattergl';
  }
  let points = 0;
  for (const curve of curves) {
    points += curve.x.length;
  }
  return points <= SVG_MAX_POINTS ? 'scatter' : 'scattergl';
}

/** Names are the user's text: keep plotly's template syntax out of them. */
export function escapeTemplate(text: string): string {
  return text.replace(/[%{}<>&]/g, ch => `&#${ch.charCodeAt(0)};`);
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const data = React.useMemo(() => {
    const started = performance.now();
    const traces = buildMetricTraces(props);
    try {
      // Lets benchmarks split trace building from plotly's drawing.
      performance.measure('trialbook:curves-traces', { start: started });
    } catch {
      // Diagnostics only (jsdom lacks measure options).
    }
    return traces;
  }, [
    props.curves,
    props.smoothing,
    props.groupBy,
    props.ciBand,
    props.theme,
    props.highlighted,
    props.xAxis,
    props.metric,
    props.renderer
  ]);
  const layout = React.useMemo(() => {
    const base = baseLayout(props.theme);
    const range = props.xRange
      ? props.xAxis === 'time'
        ? props.xRange.map(value => value * 1000)
        : props.xRange
      : undefined;
    return {
      ...base,
      autosize: true,
      uirevision: `${props.metric}|${props.xAxis}|${props.groupBy ?? ''}`,
      showlegend:
        !!props.groupBy ||
        props.curves.length <= (props.maxLegendEntries ?? MAX_LEGEND_ENTRIES),
      legend:
        props.legend === 'bottom'
          ? {
              ...(base.legend as object),
              orientation: 'h',
              x: 0,
              xanchor: 'left',
              y: -0.22,
              yanchor: 'top',
              bgcolor: 'rgba(0,0,0,0)'
            }
          : {
              ...(base.legend as object),
              orientation: 'v',
              x: 1.02,
              xanchor: 'left',
              y: 1,
              bgcolor: 'rgba(0,0,0,0)'
            },
      margin: { l: 56, r: 8, t: 16, b: props.legend === 'bottom' ? 24 : 40 },
      hovermode: 'closest',
      xaxis: {
        ...(base.xaxis as object),
        title: { text: X_TITLES[props.xAxis] },
        type: props.xAxis === 'time' ? 'date' : 'linear',
        ...(range ? { range, autorange: false } : { autorange: true })
      },
      yaxis: {
        ...(base.yaxis as object),
        title: { text: props.metric },
        type: props.logY ? 'log' : 'linear'
      }
    };
  }, [
    props.theme,
    props.metric,
    props.xAxis,
    props.groupBy,
    props.logY,
    props.xRange,
    props.legend,
    props.groupBy ||
      props.curves.length <= (props.maxLegendEntries ?? MAX_LEGEND_ENTRIES)
  ]);

  const onXRangeChange = props.onXRangeChange;
  const onCurveClick = props.onCurveClick;
  const xAxis = props.xAxis;
  const events = React.useMemo(
    () => ({
      plotly_relayout: (payload: unknown) => {
        const update = payload as Record<string, unknown>;
        if (update['xaxis.autorange']) {
          onXRangeChange?.(null);
          return;
        }
        const low = update['xaxis.range[0]'];
        const high = update['xaxis.range[1]'];
        if (low !== undefined && high !== undefined) {
          const decode = (value: unknown) =>
            xAxis === 'time'
              ? Date.parse(String(value).replace(' ', 'T') + 'Z') / 1000
              : Number(value);
          onXRangeChange?.([decode(low), decode(high)]);
        }
      },
      plotly_click: (payload: unknown) => {
        const points = (
          payload as {
            points?: { data?: { meta?: { id?: string } } }[];
            event?: MouseEvent;
          }
        ).points;
        const id = points?.[0]?.data?.meta?.id;
        if (id) {
          const event = (payload as { event?: MouseEvent }).event;
          onCurveClick?.(id, !!(event && (event.ctrlKey || event.metaKey)));
        }
      }
    }),
    [onXRangeChange, onCurveClick, xAxis]
  );

  return (
    <PlotlyChart
      className="tb-MetricChart"
      data={data}
      layout={layout}
      events={events}
      resized={props.resized}
      label={`${props.metric} curves`}
      onDrawn={props.onDrawn}
    />
  );
}
