/**
 * The comparison charts under the table: metric curves, parallel coordinates
 * and a scatter, sharing the table's selection and filters.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ITrialRow } from '../../api/types';
import { ExperimentViewModel } from '../../models/experimentView';
import { defaultMetric, groupMetrics } from '../../models/metrics';
import {
  DEFAULT_TRIALS,
  MAX_GROUPED_TRIALS,
  MetricCurvesModel
} from '../../models/metricCurves';
import { isNumericKind, ITrialColumn } from '../../models/trialColumns';
import { logScaleVariables } from '../../plot/logAxis';
import { IPlotTheme } from '../../plot/theme';
import { useSignals } from '../useSignal';
import { CurveOptions } from './CurveOptions';
import { MAX_LEGEND_ENTRIES, MetricChart } from './MetricChart';
import { ParallelChart } from './ParallelChart';
import { ScatterChart } from './ScatterChart';

export type ChartTab = 'curves' | 'parallel' | 'scatter';

export interface IChartsPanelProps {
  model: ExperimentViewModel;
  curves: MetricCurvesModel;
  theme: IPlotTheme;
  trans: TranslationBundle;
  resized: ISignal<unknown, void>;
}

export function ChartsPanel(props: IChartsPanelProps): JSX.Element {
  const { model, curves, theme, trans } = props;
  useSignals(model.changed, curves.changed);
  const [tab, setTab] = React.useState<ChartTab>('curves');
  const bodyRef = React.useRef<HTMLDivElement>(null);

  const metrics = model.available.metrics;
  const variables = model.available.variables;
  const settings = curves.settings;

  // Pick a metric once the experiment's metrics are known: the objective's.
  React.useEffect(() => {
    const metric = defaultMetric(metrics, model.detail?.objective?.metric);
    if (!settings.metric && metric) {
      curves.update({ metric });
    }
  }, [metrics.join('\0'), model.detail]);

  // Parallel coordinates, the scatter and grouped curves draw a capped read of
  // the matching trials in table order; under brushes, parallel coordinates
  // draw the trials the other terms match.
  const brushed = tab === 'parallel' && model.query.brushes.size > 0;
  const sampled = tab !== 'curves' || !!settings.groupBy;
  React.useEffect(() => {
    if (sampled) {
      model.sample.request();
    }
    if (brushed) {
      model.brushSample.request();
    }
  }, [model, sampled, brushed]);
  // Until the sample is first read, the loaded rows (the first window: for a
  // small table, all of it) are drawn at once.
  const sampleRows =
    model.sample.rows.length || model.sample.current
      ? model.sample.rows
      : model.loader.loadedRows();
  // The default curves: the first trials of the table, as loaded.
  const firstRows = firstLoadedRows(model, DEFAULT_TRIALS);
  const firstKey = firstRows.map(row => row.name).join('\0');
  const selection = model.selection;
  const trials = React.useMemo(() => {
    if (settings.groupBy) {
      const selected = model.selectedRows;
      return (selected.length > 1 ? selected : sampleRows).slice(
        0,
        MAX_GROUPED_TRIALS
      );
    }
    return selection.size ? model.selectedRows : firstRows;
  }, [sampleRows, firstKey, selection, settings.groupBy]);

  const trialsKey = trials.map(trial => trial.name).join('\0');
  React.useEffect(() => {
    // The plot area: the chart less its margins and, when shown, the legend.
    const width = bodyRef.current?.clientWidth ?? 600;
    const legend =
      !!settings.groupBy || trials.length <= MAX_LEGEND_ENTRIES ? 200 : 64;
    curves.setTrials(trials, Math.max(200, width - legend));
  }, [trialsKey, settings.metric, settings.groupBy, settings.xAxis]);

  // Live: refetch the series when the trials' data changed.
  React.useEffect(() => {
    const reload = () => void curves.reload();
    model.dataChanged.connect(reload);
    return () => {
      model.dataChanged.disconnect(reload);
    };
  }, [model, curves]);

  const numericColumns = model.allColumns.filter(
    column => isNumericKind(column.kind) && column.id !== 'duration'
  );
  const axisColumns = model.allColumns.filter(
    column => column.kind === 'variable' || column.kind === 'parameter'
  );
  const objectiveColumn =
    model.column('objective_value') ?? numericColumns[0] ?? null;

  const [scatterX, setScatterX] = React.useState<string | null>(null);
  const [scatterY, setScatterY] = React.useState<string | null>(null);
  const xColumn: ITrialColumn | undefined =
    model.column(scatterX ?? '') ?? axisColumns[0] ?? model.column('name');
  const yColumn: ITrialColumn | undefined =
    model.column(scatterY ?? '') ?? objectiveColumn ?? undefined;

  const parallelColumns = React.useMemo(() => {
    const list = model.allColumns.filter(column => column.kind === 'variable');
    if (objectiveColumn) {
      list.push(objectiveColumn);
    }
    return list;
  }, [model.allColumns, objectiveColumn]);

  const logColumns = React.useMemo(
    () =>
      new Set(
        [...logScaleVariables(model.detail?.variables)].map(
          name => `variables.${name}`
        )
      ),
    [model.detail]
  );

  const onBrush = React.useCallback(
    (brushes: Parameters<ExperimentViewModel['query']['setBrushes']>[0]) =>
      model.query.setBrushes(brushes),
    [model]
  );
  const onSelect = React.useCallback(
    (name: string, additive: boolean) =>
      model.select(name, { toggle: additive }),
    [model]
  );
  const onXRange = React.useCallback(
    (range: [number, number] | null) => curves.setXRange(range),
    [curves]
  );

  const tabs: [ChartTab, string][] = [
    ['curves', trans.__('Metric curves')],
    ['parallel', trans.__('Parallel coordinates')],
    ['scatter', trans.__('Scatter')]
  ];

  let caption = '';
  if (tab === 'curves') {
    caption = settings.groupBy
      ? trans.__('%1 trials grouped by %2', trials.length, settings.groupBy)
      : selection.size
        ? trans.__('%1 selected trials', trials.length)
        : trans.__(
            'First %1 visible trials — select rows to compare',
            trials.length
          );
  } else if (tab === 'parallel') {
    caption = brushed
      ? trans.__(
          '%1 of %2 trials within the brushed ranges',
          model.total,
          model.brushSample.total
        )
      : trans.__('Drag along an axis to filter the table');
  }
  // Beyond the sample, say how much of the table a chart draws.
  const drawn = brushed ? model.brushSample : model.sample;
  if (sampled && drawn.total > drawn.rows.length) {
    caption += ` · ${trans.__(
      'showing %1 of %2 trials in table order',
      drawn.rows.length,
      drawn.total
    )}`;
  }

  return (
    <div className="tb-ChartsPanel">
      <div className="tb-ChartsPanel-bar">
        <div className="tb-ChartsPanel-tabs" role="tablist">
          {tabs.map(([id, label]) => (
            <button
              key={id}
              role="tab"
              aria-selected={tab === id}
              className={`tb-ChartsPanel-tab${tab === id ? ' tb-mod-active' : ''}`}
              data-tab={id}
              onClick={() => setTab(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <div className="tb-ChartsPanel-controls">
          {tab === 'curves' && (
            <>
              <label>
                {trans.__('Metric')}
                <select
                  className="tb-ChartsPanel-metric"
                  value={settings.metric ?? ''}
                  onChange={event =>
                    curves.update({ metric: event.target.value })
                  }
                >
                  <MetricOptions metrics={metrics} trans={trans} />
                </select>
              </label>
              <CurveOptions
                options={settings}
                variables={variables}
                onChange={patch => curves.update(patch)}
                trans={trans}
              />
            </>
          )}
          {tab === 'parallel' && model.query.brushes.size > 0 && (
            <button
              className="tb-Button"
              onClick={() => model.query.setBrushes(new Map())}
            >
              {trans.__('Clear brushing')}
            </button>
          )}
          {tab === 'scatter' && (
            <>
              <label>
                {trans.__('x')}
                <select
                  className="tb-ChartsPanel-scatterX"
                  value={xColumn?.id ?? ''}
                  onChange={event => setScatterX(event.target.value)}
                >
                  {[...axisColumns, ...numericColumns].map(column => (
                    <option key={column.id} value={column.id}>
                      {column.label}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {trans.__('y')}
                <select
                  className="tb-ChartsPanel-scatterY"
                  value={yColumn?.id ?? ''}
                  onChange={event => setScatterY(event.target.value)}
                >
                  {numericColumns.map(column => (
                    <option key={column.id} value={column.id}>
                      {column.label}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
        </div>
      </div>
      <div className="tb-ChartsPanel-caption">
        {caption}
        {tab === 'curves' && curves.loading && ` · ${trans.__('loading…')}`}
        {tab === 'curves' && curves.error && ` · ${curves.error}`}
      </div>
      <div className="tb-ChartsPanel-body" ref={bodyRef}>
        {tab === 'curves' &&
          (settings.metric ? (
            <MetricChart
              curves={curves.curves}
              metric={settings.metric}
              xAxis={settings.xAxis}
              smoothing={settings.smoothing}
              logY={settings.logY}
              groupBy={settings.groupBy}
              ciBand={settings.ciBand}
              theme={theme}
              xRange={curves.xRange}
              onXRangeChange={onXRange}
              onCurveClick={onSelect}
              resized={props.resized}
            />
          ) : (
            <div className="tb-ChartsPanel-empty">
              {trans.__('No metrics logged yet.')}
            </div>
          ))}
        {tab === 'parallel' && (
          <ParallelChart
            rows={brushed ? drawn.rows : sampleRows}
            columns={parallelColumns}
            colorColumn={objectiveColumn}
            brushes={model.query.brushes}
            logColumns={logColumns}
            theme={theme}
            onBrush={onBrush}
            resized={props.resized}
          />
        )}
        {tab === 'scatter' && xColumn && yColumn && (
          <ScatterChart
            rows={sampleRows}
            x={xColumn}
            y={yColumn}
            selection={selection}
            theme={theme}
            onSelect={onSelect}
            resized={props.resized}
          />
        )}
      </div>
    </div>
  );
}

/** The table's first `count` rows that are loaded (the first window arrives first). */
function firstLoadedRows(
  model: ExperimentViewModel,
  count: number
): ITrialRow[] {
  const rows: ITrialRow[] = [];
  for (let i = 0; i < Math.min(count, model.total); i++) {
    const row = model.rowAt(i);
    if (row) {
      rows.push(row);
    }
  }
  return rows;
}

/** Training metrics, then the `system.*` ones under their own heading. */
function MetricOptions(props: {
  metrics: readonly string[];
  trans: TranslationBundle;
}): JSX.Element {
  const { training, system } = groupMetrics(props.metrics);
  const options = (names: string[]) =>
    names.map(name => (
      <option key={name} value={name}>
        {name}
      </option>
    ));
  if (!system.length) {
    return <>{options(training)}</>;
  }
  return (
    <>
      {options(training)}
      <optgroup label={props.trans.__('System')}>{options(system)}</optgroup>
    </>
  );
}
