/**
 * Each value of the tested variable: its trials' objective values as points,
 * their mean and confidence interval beside them. The treatment comes first
 * in the palette's first colour.
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IEvaluationResponse } from '../../api/types';
import { decodeJSONNumber } from '../../models/metrics';
import { confidenceLevel } from '../../models/verdict';
import { baseLayout, IPlotTheme } from '../../plot/theme';
import { escapeTemplate } from '../charts/MetricChart';
import { PlotlyChart } from '../charts/PlotlyChart';

/**
 * The groups of the first claim, treatment first: with several claims (Python's
 * `claims=`) the others' groups are in the comparisons table.
 */
export function plottedGroups(
  evaluation: IEvaluationResponse
): IEvaluationResponse['groups'] {
  const metric = evaluation.claim?.metric;
  const treatment = evaluation.claim?.treatment;
  return evaluation.groups
    .filter(group => !group.metric || !metric || group.metric === metric)
    .sort((a, b) =>
      a.value === treatment ? -1 : b.value === treatment ? 1 : 0
    );
}

/** A deterministic spread of points around their group's position. */
function jitter(index: number, count: number): number {
  if (count <= 1) {
    return 0;
  }
  return ((index / (count - 1)) * 2 - 1) * 0.1;
}

export function buildDistributionTraces(
  evaluation: IEvaluationResponse,
  theme: IPlotTheme
): Record<string, unknown>[] {
  const groups = plottedGroups(evaluation);
  const level = confidenceLevel(evaluation.alpha);
  const traces: Record<string, unknown>[] = [];
  groups.forEach((group, i) => {
    const color = theme.colorway[i % theme.colorway.length];
    const label = escapeTemplate(String(group.value));
    const values = group.values.map(value => decodeJSONNumber(value));
    traces.push({
      type: 'scatter',
      mode: 'markers',
      x: values.map((_, k) => i - 0.12 + jitter(k, values.length)),
      y: values,
      text: group.trials.map(escapeTemplate),
      marker: { color, size: 7, opacity: 0.75 },
      hovertemplate: `%{text}<br>${label}: %{y:.4g}<extra></extra>`,
      showlegend: false,
      meta: { role: 'points', group: String(group.value) }
    });
    const mean = decodeJSONNumber(group.mean);
    const lo = group.ci ? decodeJSONNumber(group.ci[0]) : null;
    const hi = group.ci ? decodeJSONNumber(group.ci[1]) : null;
    if (mean === null || Number.isNaN(mean)) {
      return;
    }
    const bounded = lo !== null && hi !== null && Number.isFinite(hi - lo);
    traces.push({
      type: 'scatter',
      mode: 'markers',
      x: [i + 0.15],
      y: [mean],
      marker: {
        color,
        size: 14,
        symbol: 'line-ew',
        line: { width: 3, color }
      },
      error_y: bounded
        ? {
            type: 'data',
            symmetric: false,
            array: [hi! - mean],
            arrayminus: [mean - lo!],
            color,
            thickness: 2,
            width: 6
          }
        : { visible: false },
      hovertemplate: bounded
        ? `${label} mean %{y:.4g}<br>${level} CI [${lo!.toPrecision(4)}, ${hi!.toPrecision(4)}]<br>n = ${group.n}<extra></extra>`
        : `${label} mean %{y:.4g}<br>n = ${group.n}<extra></extra>`,
      showlegend: false,
      meta: { role: 'mean', group: String(group.value) }
    });
  });
  return traces;
}

export function GroupDistributionChart(props: {
  evaluation: IEvaluationResponse;
  theme: IPlotTheme;
  resized?: ISignal<unknown, void> | null;
}): JSX.Element {
  const { evaluation, theme } = props;
  const data = React.useMemo(
    () => buildDistributionTraces(evaluation, theme),
    [evaluation, theme]
  );
  const layout = React.useMemo(() => {
    const base = baseLayout(theme);
    const groups = plottedGroups(evaluation);
    const claim = evaluation.claim;
    return {
      ...base,
      autosize: true,
      margin: { l: 52, r: 8, t: 8, b: 36 },
      showlegend: false,
      hovermode: 'closest',
      xaxis: {
        ...(base.xaxis as object),
        tickvals: groups.map((_, i) => i),
        ticktext: groups.map(group =>
          escapeTemplate(`${String(group.value)} (n=${group.n})`)
        ),
        range: [-0.5, Math.max(groups.length, 1) - 0.5],
        zeroline: false,
        showgrid: false,
        fixedrange: true
      },
      yaxis: {
        ...(base.yaxis as object),
        title: {
          text: claim
            ? escapeTemplate(`${claim.metric} (${claim.summary})`)
            : ''
        },
        fixedrange: true
      }
    };
  }, [evaluation, theme]);
  return (
    <PlotlyChart
      className="tb-GroupDistributionChart"
      data={data}
      layout={layout}
      resized={props.resized}
      label="per-group distribution"
    />
  );
}
