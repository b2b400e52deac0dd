/** Name, hypothesis, objective, variable space and trial counts by status. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Status, STATUSES } from '../../api/types';
import { ExperimentViewModel } from '../../models/experimentView';
import { StatusBadge } from '../StatusBadge';

/** A variable's declared space as short text: `custom | resnet50`, `[0.001, 0.1] log`. */
export function describeSpace(space: unknown): string {
  if (Array.isArray(space)) {
    return space.map(value => JSON.stringify(value)).join(' | ');
  }
  if (space && typeof space === 'object') {
    const record = space as Record<string, unknown>;
    if (Array.isArray(record.values)) {
      return describeSpace(record.values);
    }
    if ('low' in record && 'high' in record) {
      const extras = [
        record.scale && record.scale !== 'linear' ? String(record.scale) : '',
        record.integer ? 'integer' : '',
        record.num ? `${record.num} values` : ''
      ].filter(Boolean);
      return `[${record.low}, ${record.high}]${extras.length ? ' ' + extras.join(', ') : ''}`;
    }
  }
  return JSON.stringify(space);
}

export function ExperimentViewHeader(props: {
  model: ExperimentViewModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const detail = model.detail;
  const counts = model.statusCounts;
  const objective = detail?.objective;
  const variables = Object.entries(detail?.variables ?? {});
  return (
    <header className="tb-ExperimentViewHeader">
      <div className="tb-ExperimentViewHeader-top">
        <h2 className="tb-ExperimentViewHeader-name">
          {model.crossExperiment ? trans.__('All trials') : model.name}
        </h2>
        <span className="tb-ExperimentViewHeader-counts">
          {trans._n('%1 trial', '%1 trials', model.trialCount)}
          {STATUSES.filter((status: Status) => (counts?.[status] ?? 0) > 0).map(
            status => (
              <span key={status} className="tb-ExperimentViewHeader-count">
                <StatusBadge status={status} trans={trans} /> {counts![status]}
              </span>
            )
          )}
        </span>
      </div>
      {detail?.hypothesis && (
        <p className="tb-ExperimentViewHeader-hypothesis">
          <span className="tb-ExperimentViewHeader-label">
            {trans.__('Hypothesis')}
          </span>
          {detail.hypothesis}
        </p>
      )}
      {!detail?.hypothesis && detail?.description && (
        <p className="tb-ExperimentViewHeader-hypothesis">
          {detail.description}
        </p>
      )}
      <div className="tb-ExperimentViewHeader-facts">
        {objective && (
          <span className="tb-ExperimentViewHeader-objective">
            <span className="tb-ExperimentViewHeader-label">
              {trans.__('Objective')}
            </span>
            {objective.goal} {objective.metric} ({objective.summary})
          </span>
        )}
        {variables.length > 0 && (
          <span className="tb-ExperimentViewHeader-space">
            <span className="tb-ExperimentViewHeader-label">
              {trans.__('Variables')}
            </span>
            {variables.map(([name, space]) => (
              <span key={name} className="tb-ExperimentViewHeader-variable">
                <b>{name}</b> {describeSpace(space)}
              </span>
            ))}
          </span>
        )}
      </div>
    </header>
  );
}
