/**
 * Coverage of the declared variable space: one cell per variable set, rows
 * for the combinations of all variables but the last, a column per value of
 * the last. A missing cell copies the line that runs it.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  ICoverageResponse,
  ICoverageSet,
  ParameterValue
} from '../../api/types';
import { describeSet, runLine } from '../../models/verdict';

interface IGridRow {
  label: string;
  cells: Map<string, ICoverageSet>;
}

/** Lay the sets out as rows (all variables but the last) × columns (the last's values). */
export function coverageLayout(coverage: ICoverageResponse): {
  columns: ParameterValue[];
  rows: IGridRow[];
  lastVariable: string | null;
} {
  const last = coverage.variables[coverage.variables.length - 1] ?? null;
  const columns: ParameterValue[] = [];
  const seen = new Set<string>();
  const rows = new Map<string, IGridRow>();
  for (const set of coverage.sets) {
    const value = last === null ? '' : set.variables[last];
    const column = JSON.stringify(value);
    if (!seen.has(column)) {
      seen.add(column);
      columns.push(value);
    }
    const others = { ...set.variables };
    if (last !== null) {
      delete others[last];
    }
    const label = describeSet(others);
    let row = rows.get(label);
    if (!row) {
      row = { label, cells: new Map() };
      rows.set(label, row);
    }
    row.cells.set(column, set);
  }
  return { columns, rows: [...rows.values()], lastVariable: last };
}

export function CoverageGrid(props: {
  coverage: ICoverageResponse;
  trans: TranslationBundle;
  /** Put text on the clipboard. */
  onCopy(text: string): void;
}): JSX.Element {
  const { coverage, trans } = props;
  const [copied, setCopied] = React.useState<string | null>(null);
  // A new coverage (trials ran) makes the last copy old news.
  React.useEffect(() => setCopied(null), [coverage.total, coverage.missing]);
  const layout = React.useMemo(() => coverageLayout(coverage), [coverage]);
  const covered = coverage.total - coverage.missing;
  const copy = (set: ICoverageSet) => {
    const line = runLine(set.variables);
    props.onCopy(line);
    setCopied(line);
  };
  return (
    <section
      className="tb-CoverageGrid"
      aria-label={trans.__('Coverage of the variable space')}
    >
      <div className="tb-CoverageGrid-title">
        <span className="tb-HypothesisCard-label">{trans.__('Coverage')}</span>
        <span className="tb-CoverageGrid-count">
          {trans.__('%1 of %2 sets completed', covered, coverage.total)}
        </span>
      </div>
      <div className="tb-CoverageGrid-scroll">
        <table className="tb-CoverageGrid-table">
          {layout.lastVariable !== null && (
            <thead>
              <tr>
                <th />
                {layout.columns.map(value => (
                  <th key={JSON.stringify(value)} scope="col">
                    {layout.lastVariable}={String(value)}
                  </th>
                ))}
              </tr>
            </thead>
          )}
          <tbody>
            {layout.rows.map(row => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                {layout.columns.map(value => {
                  const key = JSON.stringify(value);
                  const set = row.cells.get(key);
                  if (!set) {
                    return <td key={key} />;
                  }
                  const text = describeSet(set.variables);
                  const missing = set.status !== 'Completed';
                  return (
                    <td key={key}>
                      <button
                        className={`tb-CoverageGrid-cell tb-mod-${set.status}`}
                        data-status={set.status}
                        data-set={text}
                        disabled={!missing}
                        title={
                          missing
                            ? trans.__(
                                '%1: %2 — click to copy the line that runs it',
                                text,
                                set.status === 'missing'
                                  ? trans.__('no trial')
                                  : set.status
                              )
                            : trans.__(
                                '%1: completed (%2)',
                                text,
                                set.trial ?? ''
                              )
                        }
                        aria-label={text}
                        onClick={() => copy(set)}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div
        className="tb-CoverageGrid-status"
        aria-live="polite"
        title={copied ?? undefined}
      >
        {copied
          ? trans.__('Copied %1', copied)
          : coverage.missing > 0
            ? trans.__('Click a missing set to copy its exp.run(...) line.')
            : trans.__('Every set has a completed trial.')}
      </div>
    </section>
  );
}
