/**
 * Compact inline views of an experiment, a trial or a component in a cell's
 * output. Every name and value is rendered as text.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IMetricSummary, ParameterValue, Status } from '../../api/types';
import { decodeJSONNumber, formatMetric } from '../../models/metrics';
import { IInlineRecord } from '../../models/inlineRecord';
import { Sparkline } from '../Sparkline';
import { StatusBadge } from '../StatusBadge';

export interface ICardActions {
  openExperiment?(name: string): void;
  revealTrial?(experiment: string, trial: string): void;
}

function Row(props: { label: string; children: React.ReactNode }): JSX.Element {
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td>{props.children}</td>
    </tr>
  );
}

function valuesText(values: Record<string, ParameterValue> | null): string {
  const entries = Object.entries(values ?? {});
  return entries.length
    ? entries.map(([key, value]) => `${key}=${String(value)}`).join(', ')
    : '—';
}

export function CardHeader(props: {
  kind: string;
  name: string;
  status: Status | null;
  trans: TranslationBundle;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="tb-InlineCard-header">
      <span className="tb-InlineCard-kind">{props.kind}</span>
      <span className="tb-InlineCard-name">{props.name}</span>
      {props.status && (
        <StatusBadge status={props.status} trans={props.trans} />
      )}
      <span className="tb-InlineCard-actions">{props.children}</span>
    </div>
  );
}

export function MetricRows(props: {
  metrics: Record<string, IMetricSummary>;
  sparklines: Record<string, readonly number[]>;
  trans: TranslationBundle;
}): JSX.Element | null {
  const names = Object.keys(props.metrics);
  if (!names.length) {
    return null;
  }
  return (
    <>
      {names.map(name => {
        const summary = props.metrics[name];
        return (
          <Row key={name} label={name}>
            <span className="tb-InlineCard-metric" data-metric={name}>
              <Sparkline
                values={props.sparklines[name] ?? []}
                width={80}
                height={18}
                label={props.trans.__('Recent values of %1', name)}
              />
              {props.trans.__(
                'last %1 · min %2 · max %3 · %4 points',
                formatMetric(decodeJSONNumber(summary.last)),
                formatMetric(decodeJSONNumber(summary.min)),
                formatMetric(decodeJSONNumber(summary.max)),
                summary.count
              )}
            </span>
          </Row>
        );
      })}
    </>
  );
}

export interface IExperimentCardProps {
  name: string;
  hypothesis: string | null;
  objective: string;
  variables: string;
  statusCounts: Partial<Record<Status, number>>;
  trialCount: number;
  /** A few trials with their display metric's recent values. */
  trials: {
    name: string;
    status: Status | null;
    metric: string | null;
    value: number | null;
    sparkline: readonly number[];
  }[];
  trans: TranslationBundle;
  actions: ICardActions;
}

export function ExperimentCard(props: IExperimentCardProps): JSX.Element {
  const { trans, actions } = props;
  const counts = Object.entries(props.statusCounts).filter(([, n]) => n);
  return (
    <div className="tb-InlineCard" data-tb-kind="experiment">
      <CardHeader
        kind={trans.__('Experiment')}
        name={props.name}
        status={null}
        trans={trans}
      >
        {actions.openExperiment && (
          <button
            className="tb-InlineCard-open jp-mod-styled"
            onClick={() => actions.openExperiment?.(props.name)}
          >
            {trans.__('Open experiment')}
          </button>
        )}
      </CardHeader>
      <table className="tb-InlineCard-table">
        <tbody>
          <Row label={trans.__('Hypothesis')}>{props.hypothesis || '—'}</Row>
          <Row label={trans.__('Objective')}>{props.objective}</Row>
          <Row label={trans.__('Variables')}>{props.variables}</Row>
          <Row label={trans.__('Trials')}>
            <span className="tb-InlineCard-count">
              {trans.__('%1 total', props.trialCount)}
            </span>
            {counts.map(([status, n]) => (
              <span key={status} className="tb-InlineCard-statusCount">
                <StatusBadge status={status as Status} trans={trans} /> {n}
              </span>
            ))}
          </Row>
        </tbody>
      </table>
      {props.trials.length > 0 && (
        <ul className="tb-InlineCard-trials">
          {props.trials.map(trial => (
            <li key={trial.name}>
              <button
                className="tb-InlineCard-link"
                title={trans.__('Reveal in the Experiments sidebar')}
                onClick={() => actions.revealTrial?.(props.name, trial.name)}
              >
                {trial.name}
              </button>
              {trial.status && (
                <StatusBadge status={trial.status} trans={trans} />
              )}
              {trial.metric && (
                <span className="tb-InlineCard-metric">
                  <Sparkline
                    values={trial.sparkline}
                    width={64}
                    height={16}
                    label={trans.__('Recent values of %1', trial.metric)}
                  />
                  {trial.metric} {formatMetric(trial.value)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RecordCard(props: {
  kind: 'trial' | 'component';
  name: string;
  title: string;
  experiment: string | null;
  record: IInlineRecord | null;
  fallbackStatus: Status | null;
  error: string | null;
  trans: TranslationBundle;
  actions: ICardActions;
}): JSX.Element {
  const { trans, actions, record, experiment } = props;
  const trials = record?.trials ?? [];
  return (
    <div className="tb-InlineCard" data-tb-kind={props.kind}>
      <CardHeader
        kind={
          props.kind === 'trial' ? trans.__('Trial') : trans.__('Component')
        }
        name={props.title}
        status={record?.status ?? props.fallbackStatus}
        trans={trans}
      >
        {props.kind === 'trial' && experiment && actions.revealTrial && (
          <button
            className="tb-InlineCard-reveal jp-mod-styled"
            onClick={() => actions.revealTrial?.(experiment, props.name)}
          >
            {trans.__('Show in sidebar')}
          </button>
        )}
        {experiment && actions.openExperiment && (
          <button
            className="tb-InlineCard-open jp-mod-styled"
            onClick={() => actions.openExperiment?.(experiment)}
          >
            {trans.__('Open experiment')}
          </button>
        )}
      </CardHeader>
      {props.error && <div className="tb-InlineCard-error">{props.error}</div>}
      <table className="tb-InlineCard-table">
        <tbody>
          {experiment && <Row label={trans.__('Experiment')}>{experiment}</Row>}
          {props.kind === 'component' && (
            <Row label={trans.__('Trials')}>{trials.join(', ') || '—'}</Row>
          )}
          {record?.kind && <Row label={trans.__('Kind')}>{record.kind}</Row>}
          {record?.variables && (
            <Row label={trans.__('Variables')}>
              {valuesText(record.variables)}
            </Row>
          )}
          {record && (
            <Row label={trans.__('Parameters')}>
              {valuesText(record.parameters)}
            </Row>
          )}
          {record && (
            <MetricRows
              metrics={record.metrics}
              sparklines={record.sparklines}
              trans={trans}
            />
          )}
        </tbody>
      </table>
    </div>
  );
}
