/**
 * Metric curves: one WebGL line per trial, or per group a mean line with a
 * min–max band. Data in, plot out: the experiment view and the inline
 * notebook renderer both use this component.
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { groupCurves, ICurve, smooth } from '../../plot/curves';
import { baseLayout, IPlotTheme, withAlpha } from '../../plot/theme';
import { PlotlyChart } from './PlotlyChart';

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
  theme: IPlotTheme;
  /** Curve ids drawn emphasized (e.g. the table's selection). */
  highlighted?: ReadonlySet<string>;
  xRange?: [number, number] | null;
  onXRangeChange?(range: [number, number] | null): void;
  onCurveClick?(id: string, additive: boolean): void;
  resized?: ISignal<unknown, void> | null;
}

const X_TITLES: Record<MetricXAxis, string> = {
  step: 'step',
  time: 'wall time',
  relative: 'relative time (s)'
};

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
    groups.forEach((group, i) => {
      const name = `${props.groupBy}=${group.group}`;
      const x = toPlotX(group.x, xAxis);
      traces.push({
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
      traces.push({
        type: 'scattergl',
        mode: 'lines',
        x,
        y: group.mean,
        name: `${name} (mean of ${group.count})`,
        legendgroup: name,
        line: { width: 2.5, color: color(i) },
        hovertemplate: `${escapeTemplate(name)} mean: %{y:.4g}<br>${X_TITLES[xAxis]}: %{x}<extra></extra>`,
        meta: { role: 'mean', group: group.group }
      });
    });
    return traces;
  }
  const highlighted = props.highlighted;
  curves.forEach((curve, i) => {
    const x = toPlotX(curve.x, xAxis);
    const emphasized = !highlighted?.size || highlighted.has(curve.id);
    const label = escapeTemplate(curve.label);
    if (smoothing > 0) {
      traces.push({
        type: 'scattergl',
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
      type: 'scattergl',
      mode: 'lines',
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

/** Names are the user's text: keep plotly's template syntax out of them. */
function escapeTemplate(text: string): string {
  return text.replace(/[%{}<>&]/g, ch => `&#${ch.charCodeAt(0)};`);
}

export function MetricChart(props: IMetricChartProps): JSX.Element {
  const data = React.useMemo(
    () => buildMetricTraces(props),
    [
      props.curves,
      props.smoothing,
      props.groupBy,
      props.theme,
      props.highlighted,
      props.xAxis,
      props.metric
    ]
  );
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
      showlegend: true,
      legend: {
        ...(base.legend as object),
        orientation: 'v',
        x: 1.02,
        xanchor: 'left',
        y: 1,
        bgcolor: 'rgba(0,0,0,0)'
      },
      margin: { l: 56, r: 8, t: 16, b: 40 },
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
    props.xRange
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
    />
  );
}
