/** Show, hide, reorder and pin columns; remembered per experiment by the column layout. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ColumnLayoutModel } from '../../models/columnLayout';
import { useSignals } from '../useSignal';

export function ColumnChooser(props: {
  layout: ColumnLayoutModel;
  trans: TranslationBundle;
  onClose(): void;
}): JSX.Element {
  const { layout, trans } = props;
  useSignals(layout.changed);
  const [query, setQuery] = React.useState('');
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    const onDown = (event: MouseEvent) => {
      if (
        ref.current &&
        !ref.current.parentElement?.contains(event.target as Node)
      ) {
        props.onClose();
      }
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, []);
  const needle = query.trim().toLocaleLowerCase();
  const stats = layout.state.stats;
  const columns = layout.allColumns.filter(
    column =>
      (column.stat === undefined || stats.includes(column.stat)) &&
      (!needle || column.label.toLocaleLowerCase().includes(needle))
  );
  const pinned = layout.state.pinned;
  return (
    <div
      className="tb-ColumnChooser"
      ref={ref}
      role="dialog"
      aria-label={trans.__('Columns')}
      onKeyDown={event => event.key === 'Escape' && props.onClose()}
    >
      <div className="tb-ColumnChooser-head">
        <input
          type="search"
          autoFocus
          placeholder={trans.__('Find a column')}
          value={query}
          onChange={event => setQuery(event.target.value)}
        />
        <button className="tb-Button" onClick={() => layout.reset()}>
          {trans.__('Reset')}
        </button>
      </div>
      <ul className="tb-ColumnChooser-list">
        {columns.map(column => (
          <li key={column.id} data-column={column.id}>
            <label>
              <input
                type="checkbox"
                checked={layout.isColumnVisible(column.id)}
                disabled={column.id === 'name'}
                onChange={event =>
                  layout.setColumnVisible(column.id, event.target.checked)
                }
              />
              {column.label}
            </label>
            <span className="tb-ColumnChooser-actions">
              <button
                className={`tb-Button tb-mod-small${pinned.includes(column.id) ? ' tb-mod-active' : ''}`}
                aria-pressed={pinned.includes(column.id)}
                title={trans.__('Pin to the left')}
                onClick={() =>
                  layout.setPinned(column.id, !pinned.includes(column.id))
                }
              >
                {trans.__('pin')}
              </button>
              <button
                className="tb-Button tb-mod-small"
                title={trans.__('Move up')}
                aria-label={trans.__('Move %1 up', column.label)}
                onClick={() => layout.moveColumn(column.id, -1)}
              >
                ↑
              </button>
              <button
                className="tb-Button tb-mod-small"
                title={trans.__('Move down')}
                aria-label={trans.__('Move %1 down', column.label)}
                onClick={() => layout.moveColumn(column.id, 1)}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
