import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ColumnFilter } from '../../models/experimentView';
import { isNumericKind, ITrialColumn } from '../../models/trialColumns';

/** The filter cell under a header: text contains, or a numeric min–max. */
export function ColumnFilterInput(props: {
  column: ITrialColumn;
  filter: ColumnFilter | null;
  trans: TranslationBundle;
  onChange(filter: ColumnFilter | null): void;
}): JSX.Element {
  const { column, filter, trans } = props;
  if (isNumericKind(column.kind)) {
    const range = filter?.kind === 'range' ? filter : { min: null, max: null };
    const parse = (text: string): number | null => {
      const value = parseFloat(text);
      return text.trim() === '' || Number.isNaN(value) ? null : value;
    };
    return (
      <span className="tb-ColumnFilter tb-mod-range">
        <input
          type="text"
          inputMode="decimal"
          aria-label={trans.__('Minimum %1', column.label)}
          placeholder={trans.__('min')}
          defaultValue={range.min ?? ''}
          onChange={event =>
            props.onChange({
              kind: 'range',
              min: parse(event.target.value),
              max: range.max
            })
          }
        />
        <input
          type="text"
          inputMode="decimal"
          aria-label={trans.__('Maximum %1', column.label)}
          placeholder={trans.__('max')}
          defaultValue={range.max ?? ''}
          onChange={event =>
            props.onChange({
              kind: 'range',
              min: range.min,
              max: parse(event.target.value)
            })
          }
        />
      </span>
    );
  }
  return (
    <input
      className="tb-ColumnFilter"
      type="search"
      aria-label={trans.__('Filter %1', column.label)}
      placeholder={trans.__('filter')}
      defaultValue={filter?.kind === 'text' ? filter.text : ''}
      onChange={event =>
        props.onChange({ kind: 'text', text: event.target.value })
      }
    />
  );
}
