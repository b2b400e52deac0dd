import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Verdict } from '../../api/types';
import { verdictClass } from '../../models/verdict';

/** The verdict on a claim as a coloured label, with a mark that reads without colour. */
export function VerdictBadge(props: {
  verdict: Verdict;
  trans: TranslationBundle;
  /** The sidebar's small variant. */
  compact?: boolean;
  title?: string;
}): JSX.Element {
  const { verdict, trans } = props;
  const labels: Record<Verdict, string> = {
    supported: trans.__('supported'),
    'not supported': trans.__('not supported'),
    inconclusive: trans.__('inconclusive')
  };
  const marks: Record<Verdict, string> = {
    supported: '✓',
    'not supported': '✗',
    inconclusive: '?'
  };
  return (
    <span
      className={`tb-VerdictBadge tb-mod-${verdictClass(verdict)}${props.compact ? ' tb-mod-compact' : ''}`}
      data-verdict={verdict}
      title={props.title ?? trans.__('Hypothesis: %1', labels[verdict])}
    >
      <span className="tb-VerdictBadge-mark" aria-hidden="true">
        {marks[verdict]}
      </span>
      {labels[verdict]}
    </span>
  );
}
