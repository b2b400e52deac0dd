/**
 * "Average over seed": group the table's trials by every variable but the
 * chosen ones, with ± CI or ± sd beside each mean.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { TrialGroupsModel } from '../../models/trialGroups';
import { Spread } from '../../models/verdict';
import { useSignals } from '../useSignal';

export function GroupingControls(props: {
  groups: TrialGroupsModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { groups, trans } = props;
  useSignals(groups.changed);
  const variables = groups.variables;
  if (!variables.length) {
    return null;
  }
  return (
    <span
      className="tb-TableToolbar-group tb-GroupingControls"
      role="group"
      aria-label={trans.__('Average over variables')}
    >
      <label className="tb-TableToolbar-stat">
        <input
          className="tb-GroupingControls-enabled"
          type="checkbox"
          checked={groups.enabled}
          onChange={event => groups.setEnabled(event.target.checked)}
        />
        {trans.__('Average over')}
      </label>
      {groups.enabled && (
        <>
          {variables.map(name => {
            const on = groups.averagedOver.includes(name);
            return (
              <button
                key={name}
                className={`tb-TableToolbar-chip${on ? ' tb-mod-active' : ''}`}
                aria-pressed={on}
                data-variable={name}
                onClick={() => groups.toggleAveraged(name)}
              >
                {name}
              </button>
            );
          })}
          <select
            className="tb-GroupingControls-spread"
            aria-label={trans.__('Spread shown beside each mean')}
            value={groups.spread}
            onChange={event => groups.setSpread(event.target.value as Spread)}
          >
            <option value="ci">{trans.__('± 95% CI')}</option>
            <option value="sd">{trans.__('± sd')}</option>
          </select>
          {groups.error && (
            <span className="tb-GroupingControls-error" role="alert">
              {groups.error}
            </span>
          )}
        </>
      )}
    </span>
  );
}
