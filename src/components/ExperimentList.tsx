import { Time } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IExperimentSummary } from '../api/types';
import { IExperimentListModel } from '../tokens';
import { StatusBadge } from './StatusBadge';

/** The sidebar's experiment list with its search box. */
export function ExperimentList(props: {
  model: IExperimentListModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useModelChanges(model);
  const experiments = model.visibleExperiments;

  return (
    <div className="tb-ExperimentList">
      <input
        className="tb-ExperimentList-search jp-mod-styled"
        type="search"
        placeholder={trans.__('Search experiments')}
        aria-label={trans.__('Search experiments')}
        value={model.query}
        onChange={event => {
          model.query = event.target.value;
        }}
      />
      {model.error && (
        <div className="tb-ExperimentList-error" role="alert">
          {trans.__('Could not load experiments: %1', model.error)}
        </div>
      )}
      {experiments.length === 0 && !model.loading && !model.error && (
        <EmptyState trans={trans} searching={model.experiments.length > 0} />
      )}
      <ul
        className="tb-ExperimentList-items"
        aria-label={trans.__('Experiments')}
      >
        {experiments.map(experiment => (
          <ExperimentItem
            key={experiment.name}
            experiment={experiment}
            trans={trans}
          />
        ))}
      </ul>
    </div>
  );
}

function ExperimentItem(props: {
  experiment: IExperimentSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const { experiment, trans } = props;
  const summary = experiment.hypothesis ?? experiment.description ?? '';
  return (
    <li className="tb-ExperimentItem" title={experiment.name}>
      <div className="tb-ExperimentItem-header">
        <span className="tb-ExperimentItem-name">{experiment.name}</span>
        {experiment.status && (
          <StatusBadge status={experiment.status} trans={trans} />
        )}
      </div>
      {summary && <div className="tb-ExperimentItem-hypothesis">{summary}</div>}
      <div className="tb-ExperimentItem-meta">
        <span className="tb-ExperimentItem-trials">
          {trans._n('%1 trial', '%1 trials', experiment.trial_count)}
        </span>
        {experiment.last_activity && (
          <time
            className="tb-ExperimentItem-activity"
            dateTime={experiment.last_activity}
            title={Time.format(experiment.last_activity)}
          >
            {Time.formatHuman(experiment.last_activity)}
          </time>
        )}
      </div>
    </li>
  );
}

function EmptyState(props: {
  trans: TranslationBundle;
  searching: boolean;
}): JSX.Element {
  const { trans } = props;
  if (props.searching) {
    return (
      <div className="tb-ExperimentList-empty">
        {trans.__('No experiment matches the search.')}
      </div>
    );
  }
  return (
    <div className="tb-ExperimentList-empty">
      <p>{trans.__('No experiments yet.')}</p>
      <p>{trans.__('Create one from a notebook:')}</p>
      <pre className="tb-ExperimentList-snippet">
        {'import trialbook\n' +
          'exp = trialbook.Experiment.create(\n' +
          '    "my-experiment",\n' +
          '    hypothesis="...")'}
      </pre>
    </div>
  );
}

/** Re-render whenever the model says it changed. */
function useModelChanges(model: IExperimentListModel): void {
  const [, setVersion] = React.useState(0);
  React.useEffect(() => {
    const onChanged = () => setVersion(version => version + 1);
    model.changed.connect(onChanged);
    return () => {
      model.changed.disconnect(onChanged);
    };
  }, [model]);
}
