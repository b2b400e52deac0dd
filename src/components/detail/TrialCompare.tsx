/** Selected trials side by side; rows whose values differ are marked. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ITrialRow } from '../../api/types';
import { formatCell, ITrialColumn } from '../../models/trialColumns';

export const MAX_COMPARED = 8;

export function TrialCompare(props: {
  rows: ITrialRow[];
  columns: readonly ITrialColumn[];
  trans: TranslationBundle;
  onOpen(name: string): void;
  onClose(): void;
}): JSX.Element {
  const { rows, columns, trans } = props;
  const shown = rows.slice(0, MAX_COMPARED);
  const fields = columns.filter(column => column.kind !== 'name');
  return (
    <div className="tb-TrialCompare" aria-label={trans.__('Compare trials')}>
      <div className="tb-TrialDetail-head">
        <h3 className="tb-TrialDetail-title">
          {trans.__('Comparing %1 trials', rows.length)}
        </h3>
        <button
          className="tb-Button tb-TrialDetail-close"
          aria-label={trans.__('Close comparison')}
          onClick={props.onClose}
        >
          ×
        </button>
      </div>
      {rows.length > MAX_COMPARED && (
        <p className="tb-TrialDetail-muted">
          {trans.__('Showing the first %1.', MAX_COMPARED)}
        </p>
      )}
      <table className="tb-TrialCompare-table">
        <thead>
          <tr>
            <th />
            {shown.map(row => (
              <th key={row.name}>
                <button
                  className="tb-TrialCompare-open"
                  onClick={() => props.onOpen(row.name)}
                >
                  {row.name}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {fields.map(column => {
            const values = shown.map(row =>
              formatCell(column.value(row), column.kind)
            );
            const differs = new Set(values).size > 1;
            return (
              <tr
                key={column.id}
                className={differs ? 'tb-mod-differs' : undefined}
                data-column={column.id}
              >
                <th scope="row">{column.label}</th>
                {values.map((value, i) => (
                  <td key={shown[i].name}>{value}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
