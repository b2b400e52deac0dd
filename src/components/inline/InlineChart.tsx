/**
 * A live metric chart in a cell's output: a small toolbar (x axis, group by,
 * smoothing, log y) over the experiment view's MetricChart.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { InlineChartModel } from '../../models/inlineChart';
import { IPlotTheme } from '../../plot/theme';
import { IPlotElement } from '../charts/PlotlyChart';
import { CurveOptions } from '../charts/CurveOptions';
import { MetricChart } from '../charts/MetricChart';
import { useSignals } from '../useSignal';

export interface IInlineChartProps {
  model: InlineChartModel;
  theme: IPlotTheme;
  trans: TranslationBundle;
  /** Whether the plot is drawn (off-screen charts free their WebGL context). */
  visible: boolean;
  resized: ISignal<unknown, void>;
  onDrawn(element: IPlotElement): void;
  onOpenExperiment?(): void;
}

export function InlineChart(props: IInlineChartProps): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const settings = model.settings;
  const payload = model.payload;
  const curves = model.curves;
  const owners =
    payload.scope === 'experiment'
      ? trans.__('experiment %1', payload.experiment ?? '')
      : payload.owners.join(', ');

  return (
    <div className="tb-InlineChart" data-chart-id={payload.chart_id}>
      <div className="tb-InlineChart-bar">
        <span className="tb-InlineChart-title">
          <strong>{payload.metric}</strong> — {owners}
        </span>
        {props.onOpenExperiment && (
          <button
            className="tb-InlineChart-open jp-mod-styled"
            onClick={props.onOpenExperiment}
            title={trans.__('Open the experiment view')}
          >
            {trans.__('Open experiment')}
          </button>
        )}
        <span className="tb-InlineChart-break" />
        <CurveOptions
          options={settings}
          variables={model.variables}
          onChange={patch => model.update(patch)}
          trans={trans}
        />
      </div>
      <div className="tb-InlineChart-body">
        {model.error && (
          <div className="tb-InlineChart-message tb-mod-error">
            {model.error}
          </div>
        )}
        {!model.error && !curves.length && !model.loading && (
          <div className="tb-InlineChart-message">
            {trans.__(
              'No points of %1 yet — they appear here as they are logged.',
              payload.metric
            )}
          </div>
        )}
        {props.visible ? (
          <MetricChart
            curves={curves}
            metric={payload.metric}
            xAxis={settings.xAxis}
            smoothing={settings.smoothing}
            logY={settings.logY}
            groupBy={settings.groupBy}
            ciBand={settings.ciBand}
            theme={props.theme}
            legend="bottom"
            resized={props.resized}
            onDrawn={props.onDrawn}
          />
        ) : (
          <div className="tb-InlineChart-placeholder" />
        )}
      </div>
    </div>
  );
}
