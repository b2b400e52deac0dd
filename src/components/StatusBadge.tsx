import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Status } from '../api/types';

/** A small coloured label for a trial or experiment status. */
export function StatusBadge(props: {
  status: Status;
  trans: TranslationBundle;
}): JSX.Element {
  const labels: Record<Status, string> = {
    InProgress: props.trans.__('In progress'),
    Completed: props.trans.__('Completed'),
    Failed: props.trans.__('Failed'),
    Stopped: props.trans.__('Stopped'),
    Interrupted: props.trans.__('Interrupted')
  };
  return (
    <span
      className={`tb-StatusBadge tb-mod-${props.status}`}
      data-status={props.status}
    >
      {labels[props.status]}
    </span>
  );
}
