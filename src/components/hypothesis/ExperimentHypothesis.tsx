/**
 * The experiment view's hypothesis strip: the verdict card (when a claim is
 * stated) and the coverage of the variable space, collapsible.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ExperimentStatsModel } from '../../models/experimentStats';
import { hasClaim } from '../../models/verdict';
import { IPlotTheme } from '../../plot/theme';
import { useSignals } from '../useSignal';
import { CoverageGrid } from './CoverageGrid';
import { HypothesisCard } from './HypothesisCard';
import { VerdictBadge } from './VerdictBadge';

export function ExperimentHypothesis(props: {
  stats: ExperimentStatsModel;
  theme: IPlotTheme;
  trans: TranslationBundle;
  visible: boolean;
  resized: ISignal<unknown, void>;
  onCopy(text: string): void;
}): JSX.Element | null {
  const { stats, trans } = props;
  useSignals(stats.evaluation.changed, stats.coverage.changed);
  const [open, setOpen] = React.useState(true);
  const evaluation = stats.evaluation.value;
  const coverage = stats.coverage.value;
  const claim = hasClaim(evaluation);
  const hasCoverage = !!coverage && coverage.total > 0;
  // e.g. a Range declared without `num` has no grid to cover.
  const coverageNote = !hasCoverage ? (coverage?.message ?? null) : null;
  if (!claim && !hasCoverage && !coverageNote) {
    return null;
  }
  return (
    <div className={`tb-ExperimentHypothesis${open ? '' : ' tb-mod-closed'}`}>
      <button
        className="tb-ExperimentHypothesis-toggle"
        aria-expanded={open}
        title={
          open ? trans.__('Hide the verdict') : trans.__('Show the verdict')
        }
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      {open ? (
        <>
          {claim && evaluation && (
            <HypothesisCard
              evaluation={evaluation}
              theme={props.theme}
              trans={trans}
              error={stats.evaluation.error}
              showPlot={props.visible}
              resized={props.resized}
            />
          )}
          {hasCoverage && (
            <CoverageGrid
              coverage={coverage!}
              trans={trans}
              onCopy={props.onCopy}
            />
          )}
          {coverageNote && (
            <div className="tb-CoverageGrid tb-CoverageGrid-note">
              <span className="tb-HypothesisCard-label">
                {trans.__('Coverage')}
              </span>
              {coverageNote}
            </div>
          )}
        </>
      ) : (
        <span className="tb-ExperimentHypothesis-closed">
          {claim && evaluation?.verdict && (
            <VerdictBadge verdict={evaluation.verdict} trans={trans} compact />
          )}{' '}
          {claim && evaluation?.text}
        </span>
      )}
    </div>
  );
}
