import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { ITrialRow } from '../api/types';
import { summaryValue } from '../models/experiment';
import { formatMetric } from '../models/metrics';
import { CommandIDs, IExperimentModel, ITrialbookModel } from '../tokens';
import { ComponentItem } from './ComponentItem';
import { MiddleEllipsis } from './MiddleEllipsis';
import { Caret, treeKey } from './tree';
import { Sparkline } from './Sparkline';
import { StatusBadge } from './StatusBadge';

/** Variables shown inline; the experiment view shows all of them. */
const KEY_VARIABLES = 3;

/** One trial: status, key variables, its metric with a sparkline, provenance. */
export function TrialItem(props: {
  trial: ITrialRow;
  experiment: IExperimentModel;
  model: ITrialbookModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { trial, experiment, model, commands, trans } = props;
  const key = treeKey.trial(trial.name);
  const open = model.expansion.isExpanded(key);
  const metric = experiment.displayMetric(trial);
  const tail = metric ? experiment.tail(trial.name, metric) : undefined;
  const value = metric
    ? summaryValue(trial, metric, model.metricSummary, tail)
    : null;
  const variables = Object.entries(trial.variables ?? {});
  const provenance = notebookProvenance(trial.provenance);

  return (
    <li
      className="tb-TrialItem"
      role="treeitem"
      aria-level={2}
      aria-expanded={open}
      aria-label={trial.name}
      tabIndex={-1}
      data-tb-key={key}
      data-tb-trial={trial.name}
      data-tb-experiment={experiment.name}
      data-status={trial.status ?? ''}
    >
      <div
        className="tb-TreeRow tb-TrialItem-row"
        onClick={() => model.expansion.toggle(key)}
      >
        <Caret open={open} />
        <div className="tb-TrialItem-body">
          <div className="tb-TrialItem-header">
            <MiddleEllipsis
              className="tb-TrialItem-name"
              text={shortTrialName(trial.name, experiment.name)}
              title={trial.name}
            />
            {trial.status && (
              <StatusBadge status={trial.status} trans={trans} />
            )}
          </div>
          {variables.length > 0 && (
            <div className="tb-TrialItem-variables">
              {variables.slice(0, KEY_VARIABLES).map(([name, v]) => (
                <span key={name} className="tb-TrialItem-variable">
                  {name}={String(v)}
                </span>
              ))}
              {variables.length > KEY_VARIABLES && <span>…</span>}
            </div>
          )}
          {metric && (
            <div
              className="tb-TrialItem-metric"
              title={trans.__('%1 (%2)', metric, model.metricSummary)}
            >
              <span className="tb-TrialItem-metricName">{metric}</span>
              <span className="tb-TrialItem-metricValue">
                {formatMetric(value)}
              </span>
              {tail && (
                <Sparkline
                  values={tail.values}
                  label={trans.__('Recent values of %1', metric)}
                />
              )}
            </div>
          )}
          {provenance && (
            <div className="tb-TrialItem-provenance">
              <span
                className="tb-TrialItem-notebook"
                title={provenance.notebook}
              >
                {PathExt.basename(provenance.notebook)}
                {provenance.executionCount !== null &&
                  ` [${provenance.executionCount}]`}
              </span>
              {provenance.cellId && (
                <button
                  className="tb-LinkButton"
                  type="button"
                  onClick={event => {
                    event.stopPropagation();
                    void commands.execute(CommandIDs.goToCell, {
                      trial: trial.name
                    });
                  }}
                >
                  {trans.__('Go to cell')}
                </button>
              )}
            </div>
          )}
        </div>
      </div>
      {open && (
        <ul role="group" className="tb-TreeGroup">
          {trial.components.length === 0 && (
            <li className="tb-TreeEmpty">{trans.__('No components.')}</li>
          )}
          {trial.components.map(name => {
            const component = experiment.components.get(name);
            return component ? (
              <ComponentItem
                key={name}
                component={component}
                level={3}
                trans={trans}
              />
            ) : (
              <li key={name} className="tb-ComponentItem" role="treeitem">
                {name}
              </li>
            );
          })}
        </ul>
      )}
    </li>
  );
}

/**
 * A trial's name without its experiment's name in front (generated names are
 * `<experiment>-<id>`): in the experiment's subtree the id is what differs.
 */
export function shortTrialName(trial: string, experiment: string): string {
  const prefix = `${experiment}-`;
  return trial.startsWith(prefix) && trial.length > prefix.length
    ? `…-${trial.slice(prefix.length)}`
    : trial;
}

/** Where a trial was produced, when it was produced in a notebook. */
export function notebookProvenance(
  provenance: Record<string, unknown> | null
): {
  notebook: string;
  cellId: string | null;
  executionCount: number | null;
} | null {
  const notebook = provenance?.notebook_path;
  if (typeof notebook !== 'string' || !notebook) {
    return null;
  }
  const cellId = provenance?.cell_id;
  const count = provenance?.execution_count;
  return {
    notebook,
    cellId: typeof cellId === 'string' ? cellId : null,
    executionCount: typeof count === 'number' ? count : null
  };
}
