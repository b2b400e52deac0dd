import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { ITrialbookModel } from '../tokens';
import { ComponentItem } from './ComponentItem';
import { ExperimentItem } from './ExperimentItem';
import { Caret, treeKey } from './tree';
import { onTreeKeyDown } from './treeKeyboard';
import { useSignals } from './useSignal';

/** The sidebar: search box and the experiment → trial → component tree. */
export function ExperimentList(props: {
  model: ITrialbookModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  useSignals(model.changed, model.expansion.changed);
  const experiments = model.visibleExperiments;
  const unassignedOpen = model.expansion.isExpanded(treeKey.unassigned);

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
        role="tree"
        aria-label={trans.__('Experiments')}
        onKeyDown={onTreeKeyDown}
      >
        {experiments.map(experiment => (
          <ExperimentItem
            key={experiment.name}
            experiment={experiment}
            model={model}
            commands={commands}
            trans={trans}
            metricSummary={model.metricSummary}
          />
        ))}
        {model.experiments.length > 0 && !model.query.trim() && (
          <li
            className="tb-GroupItem"
            role="treeitem"
            aria-level={1}
            aria-expanded={unassignedOpen}
            tabIndex={-1}
            data-tb-key={treeKey.unassigned}
          >
            <div
              className="tb-TreeRow"
              onClick={() => {
                model.expansion.toggle(treeKey.unassigned);
                if (!unassignedOpen) {
                  void model.loadUnassigned();
                }
              }}
            >
              <Caret open={unassignedOpen} />
              <span className="tb-GroupItem-label">
                {trans.__('Unassigned components')}
              </span>
              {model.unassigned && (
                <span className="tb-Count">{model.unassigned.length}</span>
              )}
            </div>
            {unassignedOpen && (
              <ul role="group" className="tb-TreeGroup">
                {model.unassigned?.length === 0 && (
                  <li className="tb-TreeEmpty">
                    {trans.__('No unassigned components.')}
                  </li>
                )}
                {model.unassigned?.map(component => (
                  <ComponentItem
                    key={component.name}
                    component={component}
                    level={2}
                    trans={trans}
                  />
                ))}
              </ul>
            )}
          </li>
        )}
      </ul>
    </div>
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
