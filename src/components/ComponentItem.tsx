import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IComponentDetail } from '../api/types';
import { StatusBadge } from './StatusBadge';

/** A trial component: display name, kind, status, and whether it is shared. */
export function ComponentItem(props: {
  component: IComponentDetail;
  level: number;
  trans: TranslationBundle;
}): JSX.Element {
  const { component, level, trans } = props;
  const trials = component.trial_names.length;
  return (
    <li
      className="tb-ComponentItem"
      role="treeitem"
      aria-level={level}
      tabIndex={-1}
      data-tb-component={component.name}
      title={component.name}
    >
      <div className="tb-TreeRow tb-ComponentItem-row">
        <span className="tb-ComponentItem-name">
          {component.display_name || component.name}
        </span>
        {component.kind && (
          <span className="tb-ComponentItem-kind">{component.kind}</span>
        )}
        {trials > 1 && (
          <span
            className="tb-ComponentItem-shared"
            title={trans.__('Used by %1 trials', trials)}
          >
            {trans._n('shared · %1 trial', 'shared · %1 trials', trials)}
          </span>
        )}
        {component.status && (
          <StatusBadge status={component.status} trans={trans} />
        )}
      </div>
    </li>
  );
}
