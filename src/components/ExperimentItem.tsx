import { Time } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IExperimentModel, ITrialbookModel } from '../tokens';
import { Caret, treeKey } from './tree';
import { VerdictBadge } from './hypothesis/VerdictBadge';
import { StatusBadge } from './StatusBadge';
import { TrialItem } from './TrialItem';
import { useSignals } from './useSignal';

/**
 * One experiment and, expanded, its trials. Memoized and subscribed to its own
 * model, so a live update of one experiment re-renders only that one.
 */
function ExperimentItemView(props: {
  experiment: IExperimentModel;
  model: ITrialbookModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
  /** The statistic shown; a prop so a settings change re-renders. */
  metricSummary: string;
}): JSX.Element {
  const { experiment, model, commands, trans } = props;
  useSignals(experiment.changed, model.expansion.changed);
  const key = treeKey.experiment(experiment.name);
  const open = model.expansion.isExpanded(key);
  const summary = experiment.summary;
  const text = summary.hypothesis ?? summary.description ?? '';
  const running = experiment.runningCount;

  return (
    <li
      className="tb-ExperimentItem"
      role="treeitem"
      aria-level={1}
      aria-expanded={open}
      aria-label={experiment.name}
      tabIndex={0}
      data-tb-key={key}
      data-tb-experiment={experiment.name}
    >
      <div
        className="tb-TreeRow tb-ExperimentItem-row"
        title={experiment.name}
        onClick={() => {
          model.expansion.toggle(key);
          if (!open) {
            void experiment.loadTrials();
          }
        }}
      >
        <Caret open={open} />
        <div className="tb-ExperimentItem-body">
          <div className="tb-ExperimentItem-header">
            <span className="tb-ExperimentItem-name">{experiment.name}</span>
            {summary.status && (
              <StatusBadge status={summary.status} trans={trans} />
            )}
          </div>
          {text && <div className="tb-ExperimentItem-hypothesis">{text}</div>}
          <div className="tb-ExperimentItem-meta">
            <span className="tb-ExperimentItem-trials">
              {trans._n('%1 trial', '%1 trials', summary.trial_count)}
              {summary.verdict && (
                <>
                  {' · '}
                  <VerdictBadge
                    verdict={summary.verdict}
                    trans={trans}
                    compact
                  />
                </>
              )}
              {running > 0 && (
                <span className="tb-ExperimentItem-running">
                  {' · '}
                  {trans.__('%1 running', running)}
                </span>
              )}
            </span>
            {summary.last_activity && (
              <time
                className="tb-ExperimentItem-activity"
                dateTime={summary.last_activity}
                title={Time.format(summary.last_activity)}
              >
                {Time.formatHuman(summary.last_activity)}
              </time>
            )}
          </div>
        </div>
      </div>
      {open && (
        <ul role="group" className="tb-TreeGroup">
          {experiment.error && (
            <li className="tb-TreeEmpty tb-mod-error" role="alert">
              {trans.__('Could not load trials: %1', experiment.error)}
            </li>
          )}
          {!experiment.trialsLoaded && experiment.loadingTrials && (
            <li className="tb-TreeEmpty">{trans.__('Loading…')}</li>
          )}
          {experiment.trialsLoaded && experiment.trials.length === 0 && (
            <li className="tb-TreeEmpty">{trans.__('No trials yet.')}</li>
          )}
          {experiment.trials.map(trial => (
            <TrialItem
              key={trial.name}
              trial={trial}
              experiment={experiment}
              model={model}
              commands={commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Re-renders only when its props change or its signals fire. */
export const ExperimentItem = React.memo(ExperimentItemView);
