/**
 * The query bar: the typed query (applied with Enter), completion of names,
 * values and recent queries, the filter and brush terms it is combined with,
 * and the server's error pinpointed under the text.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ITrialColumns } from '../../api/types';
import { QueryModel } from '../../models/query';
import {
  applyCompletion,
  complete,
  ICompletion
} from '../../models/queryCompletion';
import { CellValue } from '../../models/trialColumns';
import { useSignals } from '../useSignal';

export function QueryBar(props: {
  query: QueryModel;
  columns: ITrialColumns;
  valuesOf(variable: string): readonly CellValue[];
  busy: boolean;
  trans: TranslationBundle;
}): JSX.Element {
  const { query, trans } = props;
  useSignals(query.changed, query.stateChanged);
  const [draft, setDraft] = React.useState(query.text);
  const [completion, setCompletion] = React.useState<ICompletion | null>(null);
  const [active, setActive] = React.useState(0);
  const input = React.useRef<HTMLInputElement>(null);
  const pendingCursor = React.useRef<number | null>(null);

  // Cleared from elsewhere (Clear filters): the draft follows.
  React.useEffect(() => {
    if (query.text === '' && draft.trim() !== '' && !query.error) {
      setDraft('');
    }
  }, [query.text]);

  React.useLayoutEffect(() => {
    if (pendingCursor.current !== null && input.current) {
      input.current.setSelectionRange(
        pendingCursor.current,
        pendingCursor.current
      );
      pendingCursor.current = null;
    }
  });

  const suggest = (text: string, cursor: number) => {
    const next = complete(text, cursor, {
      columns: props.columns,
      valuesOf: props.valuesOf,
      recent: query.recent
    });
    setCompletion(next.items.length ? next : null);
    setActive(0);
  };

  const apply = (text: string) => {
    setCompletion(null);
    query.setText(text);
  };

  const accept = (index: number) => {
    if (!completion) {
      return;
    }
    const item = completion.items[index];
    const next = applyCompletion(draft, completion, item);
    setDraft(next.text);
    setCompletion(null);
    pendingCursor.current = next.cursor;
    if (item.kind === 'recent') {
      apply(next.text);
    }
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    const open = !!completion;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      setActive((active + 1) % completion.items.length);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      setActive(
        (active - 1 + completion.items.length) % completion.items.length
      );
    } else if (event.key === 'Tab' && open) {
      event.preventDefault();
      accept(active);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (open && active >= 0 && completion.items[active].kind !== 'value') {
        // Enter on a name or a recent query takes it; on a value, runs the query.
        accept(active);
      } else {
        apply(draft);
      }
    } else if (event.key === 'Escape' && open) {
      event.stopPropagation();
      setCompletion(null);
    } else if (event.key === ' ' && event.ctrlKey) {
      event.preventDefault();
      suggest(draft, event.currentTarget.selectionStart ?? draft.length);
    }
  };

  const error = query.error;
  const terms = query.terms;
  const dirty = draft.trim() !== query.text;
  return (
    <div className="tb-QueryBar">
      <div className="tb-QueryBar-row">
        <span className="tb-QueryBar-anchor">
          <input
            ref={input}
            className={`tb-QueryBar-input${error ? ' tb-mod-error' : ''}`}
            type="text"
            spellCheck={false}
            autoComplete="off"
            role="combobox"
            aria-expanded={!!completion}
            aria-controls="tb-QueryBar-completion"
            aria-invalid={!!error}
            aria-label={trans.__('Query')}
            placeholder={trans.__(
              'Query, e.g. lr < 0.01 and metrics.loss.min < 0.2 (Enter to run)'
            )}
            value={draft}
            onChange={event => {
              setDraft(event.target.value);
              suggest(
                event.target.value,
                event.target.selectionStart ?? event.target.value.length
              );
            }}
            onFocus={event =>
              !draft && suggest('', event.target.selectionStart ?? 0)
            }
            onBlur={() => setCompletion(null)}
            onKeyDown={onKeyDown}
          />
          {completion && (
            <ul
              id="tb-QueryBar-completion"
              className="tb-QueryBar-completion"
              role="listbox"
            >
              {completion.items.map((item, index) => (
                <li
                  key={`${item.kind}:${item.label}`}
                  role="option"
                  aria-selected={index === active}
                  className={`tb-QueryBar-item tb-mod-${item.kind}${index === active ? ' tb-mod-active' : ''}`}
                  // Keep the focus in the input.
                  onMouseDown={event => {
                    event.preventDefault();
                    accept(index);
                  }}
                >
                  <span className="tb-QueryBar-itemLabel">{item.label}</span>
                  <span className="tb-QueryBar-itemKind">
                    {item.kind === 'recent'
                      ? trans.__('recent')
                      : item.kind === 'value'
                        ? trans.__('value')
                        : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </span>
        <button
          className="tb-Button tb-QueryBar-run"
          disabled={!dirty && !error}
          onClick={() => apply(draft)}
        >
          {trans.__('Run')}
        </button>
        {props.busy && (
          <span className="tb-QueryBar-busy">{trans.__('querying…')}</span>
        )}
      </div>
      {terms.length > 0 && (
        <div
          className="tb-QueryBar-terms"
          aria-label={trans.__('Query terms from filters and charts')}
        >
          <span className="tb-QueryBar-and">
            {query.text ? trans.__('and') : trans.__('where')}
          </span>
          {terms.map(term => (
            <span
              key={`${term.source}:${term.column}`}
              className="tb-QueryBar-term"
              data-source={term.source}
              title={
                term.source === 'brush'
                  ? trans.__('Brushed on the parallel-coordinates chart')
                  : trans.__('Column filter')
              }
            >
              <code>{term.text}</code>
              <button
                className="tb-QueryBar-removeTerm"
                aria-label={trans.__('Remove %1', term.text)}
                onClick={() => query.removeTerm(term)}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      {error && (
        <div className="tb-QueryBar-error" role="alert">
          {error.start !== null && (
            <pre className="tb-QueryBar-caret" aria-hidden="true">
              {query.text}
              {'\n'}
              {' '.repeat(error.start)}
              {'^'.repeat(
                Math.max(1, (error.end ?? error.start) - error.start)
              )}
            </pre>
          )}
          <span className="tb-QueryBar-message">{error.message}</span>
        </div>
      )}
    </div>
  );
}
