/**
 * The inline output of `exp.evaluate()`: the hypothesis card, refetched as
 * the experiment's trials complete (the saved verdict until then).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IEvaluationResponse } from '../../api/types';
import { FetchedValue } from '../../models/fetched';
import { IPlotTheme } from '../../plot/theme';
import { HypothesisCard } from '../hypothesis/HypothesisCard';
import { useSignals } from '../useSignal';

export function EvaluationView(props: {
  evaluation: FetchedValue<IEvaluationResponse>;
  experiment: string | null;
  theme: IPlotTheme;
  trans: TranslationBundle;
  visible: boolean;
  resized: ISignal<unknown, void>;
  onOpenExperiment?(name: string): void;
}): JSX.Element | null {
  const { evaluation, experiment, trans } = props;
  useSignals(evaluation.changed);
  const value = evaluation.value;
  if (!value) {
    return null;
  }
  return (
    <div className="tb-InlineCard tb-InlineEvaluation">
      {value.claim ? (
        <HypothesisCard
          evaluation={value}
          theme={props.theme}
          trans={trans}
          error={evaluation.error}
          showPlot={props.visible}
          resized={props.resized}
          actions={
            experiment && props.onOpenExperiment ? (
              <button
                className="tb-Button"
                onClick={() => props.onOpenExperiment!(experiment)}
              >
                {trans.__('Open experiment')}
              </button>
            ) : undefined
          }
        />
      ) : (
        <div className="tb-InlineCard-error">
          {value.message ??
            trans.__(
              'No claim to evaluate: state one in the objective or pass it to evaluate().'
            )}
        </div>
      )}
    </div>
  );
}
