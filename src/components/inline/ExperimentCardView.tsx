/**
 * An experiment's inline card, kept live from the sidebar's model (statuses
 * and sparklines arrive over the comm); the saved payload until it loads.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { summaryValue } from '../../models/experiment';
import { IExperimentPayload } from '../../mime/payload';
import { ITrialbookModel } from '../../tokens';
import { describeSpace } from '../experimentView/ExperimentViewHeader';
import { useSignals } from '../useSignal';
import { ExperimentCard, ICardActions } from './InlineCard';

/** Trials listed on the card; the experiment view shows the rest. */
const CARD_TRIALS = 5;

export function ExperimentCardView(props: {
  payload: IExperimentPayload;
  model: ITrialbookModel | null;
  trans: TranslationBundle;
  actions: ICardActions;
}): JSX.Element {
  const { payload, model, trans } = props;
  const experiment = model?.experiment(payload.name);
  const signals: ISignal<unknown, unknown>[] = model ? [model.changed] : [];
  if (experiment) {
    signals.push(experiment.changed);
  }
  useSignals(...signals);

  React.useEffect(() => {
    if (!experiment) {
      // Displayed right after it was created: the list may not know it yet.
      void model?.refresh();
    } else if (!experiment.trialsLoaded && !experiment.loadingTrials) {
      void experiment.loadTrials();
    }
  }, [experiment]);

  const summary = experiment?.summary;
  const objective = experiment?.detail?.objective ?? payload.objective;
  const space = experiment?.detail?.variables ?? payload.variables;
  const trials = (experiment?.trials ?? [])
    .slice(-CARD_TRIALS)
    .reverse()
    .map(trial => {
      const metric = experiment!.displayMetric(trial);
      const tail = metric ? experiment!.tail(trial.name, metric) : undefined;
      return {
        name: trial.name,
        status: trial.status,
        metric,
        value: metric ? summaryValue(trial, metric, 'last', tail) : null,
        sparkline: tail?.values ?? []
      };
    });
  return (
    <ExperimentCard
      name={payload.name}
      hypothesis={summary?.hypothesis ?? payload.hypothesis}
      objective={
        objective
          ? `${objective.goal} ${objective.metric} (${objective.summary ?? 'best'})`
          : '—'
      }
      variables={
        space && Object.keys(space).length
          ? Object.entries(space)
              .map(([name, value]) => `${name} ${describeSpace(value)}`)
              .join('; ')
          : '—'
      }
      statusCounts={summary?.status_counts ?? payload.status_counts}
      trialCount={summary?.trial_count ?? payload.trial_count}
      trials={trials}
      trans={trans}
      actions={props.actions}
    />
  );
}
