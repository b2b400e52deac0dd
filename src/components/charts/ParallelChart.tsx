/**
 * Parallel coordinates of variables → objective. Brushing an axis filters the
 * table: plotly reports new `constraintrange`s through `plotly_restyle`.
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ITrialRow } from '../../api/types';
import { BrushFilter } from '../../models/experimentView';
import { CellValue, ITrialColumn } from '../../models/trialColumns';
import { fromLog, logTicks, toLog } from '../../plot/logAxis';
import { baseLayout, IPlotTheme } from '../../plot/theme';
import { IPlotElement, PlotlyChart } from './PlotlyChart';

export interface IParallelChartProps {
  rows: readonly ITrialRow[];
  /** Axes, left to right; the last is usually the objective. */
  columns: readonly ITrialColumn[];
  /** The column that colours the lines. */
  colorColumn: ITrialColumn | null;
  brushes: ReadonlyMap<string, BrushFilter>;
  /** Column ids drawn on a log10 axis (variables declared `scale="log"`). */
  logColumns?: ReadonlySet<string>;
  theme: IPlotTheme;
  /** Every axis's brush, reported together after each drag. */
  onBrush(brushes: Map<string, BrushFilter>): void;
  resized?: ISignal<unknown, void> | null;
}

interface IAxis {
  column: ITrialColumn;
  values: number[];
  /** Set for categorical axes: index → category. */
  categories: CellValue[] | null;
  /** Values are log10 of the column's (plotly's parcoords has no log axis). */
  log: boolean;
}

function buildAxis(
  column: ITrialColumn,
  rows: readonly ITrialRow[],
  log = false
): IAxis {
  const raw = rows.map(row => column.value(row));
  const numeric = raw.every(
    value => value === null || typeof value === 'number'
  );
  if (numeric) {
    const values = raw.map(value =>
      typeof value === 'number' && Number.isFinite(value) ? value : NaN
    );
    return {
      column,
      values: log ? values.map(toLog) : values,
      categories: null,
      log
    };
  }
  const categories = [...new Set(raw)].sort((a, b) =>
    String(a).localeCompare(String(b), undefined, { numeric: true })
  );
  const index = new Map(categories.map((value, i) => [value, i]));
  return {
    column,
    values: raw.map(value => index.get(value) ?? NaN),
    categories,
    log: false
  };
}

/** A brush in plotly's axis coordinates. */
function constraintFor(axis: IAxis, brush: BrushFilter | undefined): unknown {
  if (!brush) {
    return undefined;
  }
  if (brush.kind === 'values' && axis.categories) {
    const ranges = brush.values
      .map(value => axis.categories!.indexOf(value))
      .filter(i => i !== -1)
      .map(i => [i - 0.25, i + 0.25]);
    return ranges.length === 1 ? ranges[0] : ranges;
  }
  if (brush.kind === 'ranges') {
    const ranges = axis.log
      ? brush.ranges.map(([low, high]) => [toLog(low), toLog(high)])
      : brush.ranges;
    return ranges.length === 1 ? ranges[0] : ranges;
  }
  return undefined;
}

/**
 * plotly's constraintrange ([a, b] or [[a, b], …]) → a brush on the column;
 * on a `log` axis the range is in log10 and the brush in values.
 */
export function brushFromConstraint(
  constraint: unknown,
  categories: CellValue[] | null,
  log = false
): BrushFilter | null {
  if (!Array.isArray(constraint) || !constraint.length) {
    return null;
  }
  const ranges = (Array.isArray(constraint[0]) ? constraint : [constraint]) as [
    number,
    number
  ][];
  if (categories) {
    const values = categories.filter((_, i) =>
      ranges.some(([low, high]) => i >= low && i <= high)
    );
    return { kind: 'values', values };
  }
  return {
    kind: 'ranges',
    ranges: ranges.map(([low, high]) =>
      log ? [fromLog(low), fromLog(high)] : [low, high]
    )
  };
}

export function ParallelChart(props: IParallelChartProps): JSX.Element {
  const { rows, columns, theme, logColumns } = props;
  const axes = React.useMemo(
    () =>
      columns.map(column =>
        buildAxis(column, rows, logColumns?.has(column.id) ?? false)
      ),
    [rows, columns, logColumns]
  );
  const data = React.useMemo(() => {
    const colorAxis = props.colorColumn
      ? buildAxis(props.colorColumn, rows)
      : null;
    return [
      {
        type: 'parcoords',
        line: colorAxis
          ? {
              color: colorAxis.values,
              colorscale: 'Viridis',
              showscale: true,
              colorbar: { tickfont: { color: theme.fontColor }, thickness: 10 }
            }
          : { color: theme.colorway[0] },
        labelfont: { color: theme.fontColor, family: theme.font },
        tickfont: { color: theme.mutedColor, family: theme.font },
        rangefont: { color: theme.mutedColor, family: theme.font },
        dimensions: axes.map(axis => ({
          label: axis.column.label,
          values: axis.values,
          constraintrange: constraintFor(
            axis,
            props.brushes.get(axis.column.id)
          ),
          ...(axis.categories
            ? {
                tickvals: axis.categories.map((_, i) => i),
                ticktext: axis.categories.map(value => String(value ?? '–')),
                range: [-0.5, axis.categories.length - 0.5]
              }
            : axis.log
              ? logTicks(axis.values)
              : {})
        }))
      }
    ];
  }, [axes, props.brushes, theme, props.colorColumn, rows]);
  const layout = React.useMemo(
    () => ({
      ...baseLayout(theme),
      // parcoords outlines its labels in the paper colour: make it the panel's.
      paper_bgcolor: theme.paper,
      autosize: true,
      margin: { l: 64, r: 64, t: 48, b: 24 }
    }),
    [theme]
  );

  const onBrush = props.onBrush;
  const events = React.useMemo(
    () => ({
      plotly_restyle: (_payload: unknown, element: IPlotElement) => {
        const dims = (element.data?.[0]?.dimensions ?? []) as {
          constraintrange?: unknown;
        }[];
        const brushes = new Map<string, BrushFilter>();
        axes.forEach((axis, i) => {
          const brush = brushFromConstraint(
            dims[i]?.constraintrange,
            axis.categories,
            axis.log
          );
          if (brush) {
            brushes.set(axis.column.id, brush);
          }
        });
        onBrush(brushes);
      }
    }),
    [axes, onBrush]
  );

  return (
    <PlotlyChart
      className="tb-ParallelChart"
      data={data}
      layout={layout}
      events={events}
      resized={props.resized}
      label="parallel coordinates"
    />
  );
}
