/**
 * The options of a metric-curves chart — x axis, group by, smoothing, log y —
 * shared by the experiment view's charts panel and the inline chart in a cell.
 * Rendered as a fragment of labels: the host's bar lays them out.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { XAxisMode } from '../../models/metricCurves';

export interface ICurveOptions {
  xAxis: XAxisMode;
  groupBy: string | null;
  smoothing: number;
  logY: boolean;
  /** Grouped curves also show each group's 95% confidence band. */
  ciBand: boolean;
}

export function CurveOptions(props: {
  options: ICurveOptions;
  /** Variables to group by; the control is hidden when there are none. */
  variables: readonly string[];
  onChange(patch: Partial<ICurveOptions>): void;
  trans: TranslationBundle;
}): JSX.Element {
  const { options, variables, onChange, trans } = props;
  return (
    <>
      <label>
        {trans.__('x')}
        <select
          className="tb-CurveOptions-x"
          value={options.xAxis}
          onChange={event =>
            onChange({ xAxis: event.target.value as XAxisMode })
          }
        >
          <option value="step">{trans.__('step')}</option>
          <option value="time">{trans.__('wall time')}</option>
          <option value="relative">{trans.__('relative time')}</option>
        </select>
      </label>
      {variables.length > 0 && (
        <label>
          {trans.__('Group by')}
          <select
            className="tb-CurveOptions-groupBy"
            value={options.groupBy ?? ''}
            onChange={event =>
              onChange({ groupBy: event.target.value || null })
            }
          >
            <option value="">{trans.__('none')}</option>
            {variables.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      )}
      {options.groupBy && (
        <label
          title={trans.__(
            "The 95% confidence interval of each group's mean, besides its min–max band"
          )}
        >
          <input
            className="tb-CurveOptions-ciBand"
            type="checkbox"
            checked={options.ciBand}
            onChange={event => onChange({ ciBand: event.target.checked })}
          />
          {trans.__('95% CI band')}
        </label>
      )}
      <label title={trans.__('Exponential moving average')}>
        {trans.__('Smoothing')}
        <input
          className="tb-CurveOptions-smoothing"
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={event =>
            onChange({ smoothing: Number(event.target.value) })
          }
        />
        <span className="tb-CurveOptions-value">
          {options.smoothing.toFixed(2)}
        </span>
      </label>
      <label>
        <input
          className="tb-CurveOptions-logY"
          type="checkbox"
          checked={options.logY}
          onChange={event => onChange({ logY: event.target.checked })}
        />
        {trans.__('log y')}
      </label>
    </>
  );
}
