/**
 * The verdict on an experiment's claim: the claim in words, the verdict, the
 * effect with its interval, the per-group distribution and how many more
 * trials would settle it. The experiment view's header and the inline output
 * of `exp.evaluate()` both show this card.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IComparison, IEvaluationResponse } from '../../api/types';
import {
  confidenceLevel,
  formatEffect,
  formatPValue,
  formatProbability,
  formatSigned,
  moreTrialsPerGroup
} from '../../models/verdict';
import { decodeJSONNumber } from '../../models/metrics';
import { IPlotTheme } from '../../plot/theme';
import { GroupDistributionChart } from './GroupDistributionChart';
import { VerdictBadge } from './VerdictBadge';

export interface IHypothesisCardProps {
  evaluation: IEvaluationResponse;
  theme: IPlotTheme;
  trans: TranslationBundle;
  /** The last refresh failed (the numbers shown are older). */
  error?: string | null;
  /** Draw the plot (false while hidden: no plotly work off screen). */
  showPlot?: boolean;
  resized?: ISignal<unknown, void> | null;
  /** Extra buttons in the card's header (e.g. open the experiment). */
  actions?: React.ReactNode;
}

export function HypothesisCard(props: IHypothesisCardProps): JSX.Element {
  const { evaluation, trans } = props;
  const verdict = evaluation.verdict;
  const more = moreTrialsPerGroup(evaluation);
  const level = confidenceLevel(evaluation.alpha);
  const effect = formatEffect(evaluation);
  const excluded = Object.entries(evaluation.excluded ?? {}).filter(
    ([, count]) => count > 0
  );
  const comparisons = evaluation.comparisons ?? [];
  return (
    <section
      className="tb-HypothesisCard"
      aria-label={trans.__('Hypothesis verdict')}
      data-verdict={verdict ?? 'none'}
    >
      <div className="tb-HypothesisCard-summary">
        <div className="tb-HypothesisCard-head">
          {verdict && <VerdictBadge verdict={verdict} trans={trans} />}
          <span className="tb-HypothesisCard-claim">{evaluation.text}</span>
          {props.actions && (
            <span className="tb-HypothesisCard-actions">{props.actions}</span>
          )}
        </div>
        {effect && (
          <div className="tb-HypothesisCard-effect">
            <span className="tb-HypothesisCard-label">
              {trans.__('Effect')}
            </span>
            <span className="tb-HypothesisCard-effectValue">{effect}</span>
            <span className="tb-HypothesisCard-muted">
              {trans.__(
                '%1 CI, min effect %2',
                level,
                formatSigned(evaluation.min_effect)
              )}
            </span>
          </div>
        )}
        <div className="tb-HypothesisCard-facts">
          <span>
            {trans.__(
              'n = %1 vs %2',
              evaluation.n_treatment,
              evaluation.n_control
            )}
          </span>
          <span>
            {evaluation.paired ? trans.__('paired') : trans.__('Welch')}
          </span>
          {evaluation.p_value !== null && (
            <span>{trans.__('p = %1', formatPValue(evaluation.p_value))}</span>
          )}
          {evaluation.effect_size !== null && (
            <span
              title={trans.__("Hedges' g: the effect in standard deviations")}
            >
              {trans.__(
                'g = %1',
                formatSigned(decodeJSONNumber(evaluation.effect_size))
              )}
            </span>
          )}
          {evaluation.prob_improvement !== null && (
            <span
              title={trans.__(
                'Probability that a treatment trial beats a control trial'
              )}
            >
              {trans.__(
                'P(better) = %1',
                formatProbability(evaluation.prob_improvement)
              )}
            </span>
          )}
          {evaluation.correction === 'holm' && (
            <span>
              {trans.__(
                'Holm-corrected over %1 comparisons',
                comparisons.length
              )}
            </span>
          )}
        </div>
        {evaluation.message && more === null && (
          <div className="tb-HypothesisCard-message">{evaluation.message}</div>
        )}
        {more !== null && (
          <div className="tb-HypothesisCard-hint">
            {trans._n(
              'About %1 more trial per group would settle it.',
              'About %1 more trials per group would settle it.',
              more
            )}
          </div>
        )}
        {comparisons.length > 1 && (
          <ComparisonTable comparisons={comparisons} trans={trans} />
        )}
        {excluded.length > 0 && (
          <div className="tb-HypothesisCard-muted tb-HypothesisCard-excluded">
            {trans.__(
              'Not counted: %1',
              excluded.map(([reason, count]) => `${count} ${reason}`).join(', ')
            )}
          </div>
        )}
        {props.error && (
          <div className="tb-HypothesisCard-error" role="alert">
            {props.error}
          </div>
        )}
      </div>
      {evaluation.groups.length > 0 && (
        <div className="tb-HypothesisCard-plot">
          {props.showPlot !== false && (
            <GroupDistributionChart
              evaluation={evaluation}
              theme={props.theme}
              resized={props.resized}
            />
          )}
        </div>
      )}
    </section>
  );
}

function ComparisonTable(props: {
  comparisons: IComparison[];
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  return (
    <table className="tb-HypothesisCard-comparisons">
      <thead>
        <tr>
          <th>{trans.__('Comparison')}</th>
          <th>{trans.__('Verdict')}</th>
          <th>{trans.__('Effect')}</th>
          <th>{trans.__('p (Holm)')}</th>
        </tr>
      </thead>
      <tbody>
        {props.comparisons.map(comparison => (
          <tr key={`${comparison.treatment}|${comparison.control}`}>
            <td title={comparison.text}>
              {comparison.metric ? `${comparison.metric}: ` : ''}
              {String(comparison.treatment)} vs {String(comparison.control)}
            </td>
            <td>
              {comparison.verdict && (
                <VerdictBadge
                  verdict={comparison.verdict}
                  trans={trans}
                  compact
                />
              )}
            </td>
            <td>{formatEffect(comparison)}</td>
            <td>{formatPValue(comparison.p_value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
