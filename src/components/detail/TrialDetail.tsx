/**
 * One trial in depth: variables, parameters, components (shared ones marked),
 * artifacts (images previewed), metric summaries and provenance.
 * Everything from the store is rendered as text, never as HTML.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  IArtifact,
  IComponentDetail,
  ITrialDetail,
  ITrialRow
} from '../../api/types';
import { decodeJSONNumber } from '../../models/metrics';
import { formatCell } from '../../models/trialColumns';
import { StatusBadge } from '../StatusBadge';

export interface ITrialDetailProps {
  row: ITrialRow;
  detail: ITrialDetail | null;
  trans: TranslationBundle;
  artifactUrl(id: number): string;
  /** Present when "Go to cell" is available. */
  onGoToCell?(provenance: Record<string, unknown>): void;
  onClose(): void;
}

const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;

function KeyValues(props: {
  values: Record<string, unknown> | null | undefined;
  empty: string;
}): JSX.Element {
  const entries = Object.entries(props.values ?? {});
  if (!entries.length) {
    return <p className="tb-TrialDetail-empty">{props.empty}</p>;
  }
  return (
    <dl className="tb-TrialDetail-kv">
      {entries.map(([key, value]) => (
        <React.Fragment key={key}>
          <dt>{key}</dt>
          <dd>
            {typeof value === 'object' ? JSON.stringify(value) : String(value)}
          </dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function Artifact(props: {
  artifact: IArtifact;
  url: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { artifact, url, trans } = props;
  const image =
    artifact.has_file &&
    artifact.inert &&
    IMAGE_TYPES.test(artifact.media_type ?? '');
  return (
    <li className="tb-TrialDetail-artifact">
      <span className="tb-TrialDetail-artifactName">{artifact.name}</span>{' '}
      <span className="tb-TrialDetail-muted">
        {artifact.direction} · {artifact.media_type ?? trans.__('unknown type')}
      </span>
      {artifact.has_file ? (
        <>
          {' '}
          <a
            href={url}
            download={artifact.name}
            className="tb-TrialDetail-download"
          >
            {trans.__('Download')}
          </a>
          {image && (
            <img
              className="tb-TrialDetail-image"
              src={url}
              alt={artifact.name}
              loading="lazy"
            />
          )}
        </>
      ) : (
        <div className="tb-TrialDetail-value">{artifact.value}</div>
      )}
    </li>
  );
}

function Component(props: {
  component: IComponentDetail;
  props: ITrialDetailProps;
}): JSX.Element {
  const { component } = props;
  const { trans, artifactUrl, onGoToCell } = props.props;
  const shared = component.trial_names.length > 1;
  const artifacts = [
    ...Object.values(component.input_artifacts),
    ...Object.values(component.output_artifacts)
  ];
  const provenance = component.provenance;
  return (
    <section
      className="tb-TrialDetail-component"
      data-component={component.name}
    >
      <h4>
        {component.display_name ?? component.name}{' '}
        {component.status && (
          <StatusBadge status={component.status} trans={trans} />
        )}
        {shared && (
          <span
            className="tb-TrialDetail-shared"
            title={trans.__(
              'Shared by %1 trials',
              component.trial_names.length
            )}
          >
            {trans.__('shared')}
          </span>
        )}
      </h4>
      <div className="tb-TrialDetail-muted">
        {component.name}
        {component.kind ? ` · ${component.kind}` : ''}
      </div>
      {component.status_message && (
        <pre className="tb-TrialDetail-message">{component.status_message}</pre>
      )}
      {Object.keys(component.parameters).length > 0 && (
        <KeyValues values={component.parameters} empty="" />
      )}
      {artifacts.length > 0 && (
        <ul className="tb-TrialDetail-artifacts">
          {artifacts.map(artifact => (
            <Artifact
              key={artifact.id}
              artifact={artifact}
              url={artifactUrl(artifact.id)}
              trans={trans}
            />
          ))}
        </ul>
      )}
      {provenance && (
        <div className="tb-TrialDetail-provenance">
          <span className="tb-TrialDetail-muted">
            {[
              provenance.notebook_path,
              provenance.execution_count !== undefined &&
              provenance.execution_count !== null
                ? `[${provenance.execution_count}]`
                : null,
              provenance.host,
              provenance.git_commit
                ? `git ${String(provenance.git_commit).slice(0, 8)}${provenance.git_dirty ? '*' : ''}`
                : null
            ]
              .filter(Boolean)
              .map(String)
              .join(' · ')}
          </span>
          {onGoToCell && typeof provenance.notebook_path === 'string' && (
            <button
              className="tb-Button tb-TrialDetail-goToCell"
              onClick={() => onGoToCell(provenance)}
            >
              {trans.__('Go to cell')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

export function TrialDetail(props: ITrialDetailProps): JSX.Element {
  const { row, detail, trans } = props;
  const metrics = Object.entries(row.metrics);
  return (
    <div className="tb-TrialDetail" aria-label={trans.__('Trial %1', row.name)}>
      <div className="tb-TrialDetail-head">
        <h3 className="tb-TrialDetail-title">{row.name}</h3>
        {row.status && <StatusBadge status={row.status} trans={trans} />}
        <button
          className="tb-Button tb-TrialDetail-close"
          aria-label={trans.__('Close details')}
          onClick={props.onClose}
        >
          ×
        </button>
      </div>
      <h4>{trans.__('Variables')}</h4>
      <KeyValues values={row.variables} empty={trans.__('None')} />
      <h4>{trans.__('Parameters')}</h4>
      <KeyValues values={row.parameters} empty={trans.__('None')} />
      <h4>{trans.__('Metrics')}</h4>
      {metrics.length ? (
        <table className="tb-TrialDetail-metrics">
          <thead>
            <tr>
              <th>{trans.__('metric')}</th>
              <th>min</th>
              <th>max</th>
              <th>avg</th>
              <th>last</th>
              <th>count</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([name, summary]) => (
              <tr key={name}>
                <td>{name}</td>
                {(['min', 'max', 'avg', 'last'] as const).map(stat => (
                  <td key={stat} className="tb-mod-numeric">
                    {formatCell(decodeJSONNumber(summary[stat]), 'metric')}
                  </td>
                ))}
                <td className="tb-mod-numeric">{summary.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="tb-TrialDetail-empty">{trans.__('None')}</p>
      )}
      <h4>{trans.__('Components')}</h4>
      {detail ? (
        detail.components.map(component => (
          <Component key={component.name} component={component} props={props} />
        ))
      ) : (
        <p className="tb-TrialDetail-empty">{trans.__('Loading…')}</p>
      )}
    </div>
  );
}
