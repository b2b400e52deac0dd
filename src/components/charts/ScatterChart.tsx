/** Any variable or parameter against any metric summary; selected trials stand out. */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ITrialRow } from '../../api/types';
import { ITrialColumn } from '../../models/trialColumns';
import { baseLayout, IPlotTheme } from '../../plot/theme';
import { PlotlyChart } from './PlotlyChart';

export interface IScatterChartProps {
  rows: readonly ITrialRow[];
  x: ITrialColumn;
  y: ITrialColumn;
  selection: ReadonlySet<string>;
  theme: IPlotTheme;
  onSelect(name: string, additive: boolean): void;
  resized?: ISignal<unknown, void> | null;
}

export function ScatterChart(props: IScatterChartProps): JSX.Element {
  const { rows, x, y, theme, selection } = props;
  const data = React.useMemo(() => {
    const xs = rows.map(row => x.value(row));
    const ys = rows.map(row => {
      const value = y.value(row);
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    });
    const selected = rows.map(row => selection.has(row.name));
    return [
      {
        type: rows.length > 2000 ? 'scattergl' : 'scatter',
        mode: 'markers',
        x: xs.map(value =>
          value === null
            ? null
            : typeof value === 'boolean'
              ? String(value)
              : value
        ),
        y: ys,
        text: rows.map(row => row.name),
        customdata: rows.map(row => row.name),
        marker: {
          size: selected.map(on => (on ? 11 : 7)),
          color: selected.map(on =>
            on ? theme.colorway[1] : theme.colorway[0]
          ),
          opacity: 0.85,
          line: {
            width: selected.map(on => (on ? 1.5 : 0)),
            color: theme.fontColor
          }
        },
        hovertemplate: `%{text}<br>${x.label}: %{x}<br>${y.label}: %{y:.4g}<extra></extra>`
      }
    ];
  }, [rows, x, y, theme, selection]);
  const layout = React.useMemo(() => {
    const base = baseLayout(theme);
    return {
      ...base,
      autosize: true,
      uirevision: `${x.id}|${y.id}`,
      hovermode: 'closest',
      xaxis: { ...(base.xaxis as object), title: { text: x.label } },
      yaxis: { ...(base.yaxis as object), title: { text: y.label } }
    };
  }, [theme, x, y]);
  const onSelect = props.onSelect;
  const events = React.useMemo(
    () => ({
      plotly_click: (payload: unknown) => {
        const click = payload as {
          points?: { customdata?: string }[];
          event?: MouseEvent;
        };
        const name = click.points?.[0]?.customdata;
        if (name) {
          onSelect(
            name,
            !!(click.event && (click.event.ctrlKey || click.event.metaKey))
          );
        }
      }
    }),
    [onSelect]
  );
  return (
    <PlotlyChart
      className="tb-ScatterChart"
      data={data}
      layout={layout}
      events={events}
      resized={props.resized}
      label={`${y.label} against ${x.label}`}
    />
  );
}
