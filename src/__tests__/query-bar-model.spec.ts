import { ITrialColumns } from '../api/types';
import {
  applyCompletion,
  complete,
  queryNames
} from '../models/queryCompletion';
import {
  brushTerm,
  combineQuery,
  filterTerm,
  placeError,
  queryName
} from '../models/queryTerms';
import { buildColumns, ITrialColumn } from '../models/trialColumns';

const COLUMNS: ITrialColumns = {
  variables: ['lr', 'optimizer', 'name'],
  parameters: ['lr', 'optimizer', 'optim.beta'],
  metrics: ['loss', 'val/acc']
};

function column(id: string): ITrialColumn {
  const found = buildColumns(COLUMNS).find(item => item.id === id);
  if (!found) {
    throw new Error(`no column ${id}`);
  }
  return found;
}

const context = {
  columns: COLUMNS,
  valuesOf: (variable: string) =>
    variable === 'optimizer' ? ['adam', 'sgd', 'adamw'] : [0.1, 0.01],
  recent: ['lr < 0.1', 'optimizer == "adam"']
};

describe('query terms', () => {
  it('names columns as the query language writes them', () => {
    expect(queryName(column('variables.lr'))).toBe('variables.lr');
    expect(queryName(column('parameters.optim.beta'))).toBe(
      'params["optim.beta"]'
    );
    expect(queryName(column('metrics.val/acc.max'))).toBe(
      'metrics["val/acc"].max'
    );
    expect(queryName(column('objective_value'))).toBe('objective');
    expect(queryName(column('start_time'))).toBe('started');
  });

  it('writes filters and brushes as terms', () => {
    expect(
      filterTerm(column('variables.optimizer'), { kind: 'text', text: ' a"b ' })
    ).toBe('"a\\"b" in variables.optimizer');
    expect(
      filterTerm(column('metrics.loss.min'), { kind: 'range', min: 0, max: 1 })
    ).toBe('metrics.loss.min >= 0 and metrics.loss.min <= 1');
    expect(
      filterTerm(column('metrics.loss.min'), {
        kind: 'range',
        min: null,
        max: null
      })
    ).toBeNull();
    expect(
      brushTerm(column('variables.lr'), {
        kind: 'ranges',
        ranges: [
          [0.1234567, 0.2],
          [0.5, 0.6]
        ]
      })
    ).toBe(
      '((variables.lr >= 0.123457 and variables.lr <= 0.2) or ' +
        '(variables.lr >= 0.5 and variables.lr <= 0.6))'
    );
    expect(
      brushTerm(column('variables.optimizer'), {
        kind: 'values',
        values: ['adam', true, null]
      })
    ).toBe('variables.optimizer in ["adam", True, None]');
  });

  it('combines the typed text with the terms and places errors on the text', () => {
    const terms = [
      { column: 'variables.lr', source: 'filter' as const, text: 'lr > 1' }
    ];
    const combined = combineQuery('lrr < 2', terms);
    expect(combined.q).toBe('(lrr < 2\n) and (lr > 1)');
    const error = { message: 'unknown', offset: 1, end: 4, line: 1, column: 2 };
    expect(placeError(error, combined, 'lrr < 2')).toEqual({
      message: 'unknown',
      start: 0,
      end: 3
    });
    // An error inside a term has no place on the typed text.
    const inTerm = { ...error, offset: 15, end: 17 };
    expect(placeError(inTerm, combined, 'lrr < 2').start).toBeNull();
    expect(combineQuery('  ', terms)).toEqual({
      q: '(lr > 1)',
      textOffset: -1
    });
    expect(combineQuery('a == 1', [])).toEqual({ q: 'a == 1', textOffset: 0 });
  });
});

describe('query completion', () => {
  it('lists variables, parameters, metric summaries and fixed names', () => {
    const names = queryNames(COLUMNS);
    expect(names).toContain('lr');
    expect(names).toContain('variables.name');
    expect(names).toContain('params["optim.beta"]');
    expect(names).toContain('metrics.loss.min');
    expect(names).toContain('metrics["val/acc"].last');
    expect(names).toContain('status');
  });

  it('completes the name under the cursor', () => {
    const text = 'lr < 0.1 and metrics.lo';
    const completion = complete(text, text.length, context);
    expect(completion.items.map(item => item.label)).toEqual([
      'metrics.loss.last',
      'metrics.loss.min',
      'metrics.loss.max',
      'metrics.loss.avg',
      'metrics.loss.stddev',
      'metrics.loss.count'
    ]);
    expect(applyCompletion(text, completion, completion.items[1])).toEqual({
      text: 'lr < 0.1 and metrics.loss.min',
      cursor: 29
    });
  });

  it('completes values of a variable and statuses', () => {
    const text = 'optimizer == "ad';
    const completion = complete(text, text.length, context);
    expect(completion.items.map(item => item.insert)).toEqual([
      '"adam"',
      '"adamw"'
    ]);
    expect(applyCompletion(text, completion, completion.items[0]).text).toBe(
      'optimizer == "adam"'
    );
    const list = 'variables.optimizer in ["adam", ';
    expect(
      complete(list, list.length, context).items.map(item => item.insert)
    ).toEqual(['"adam"', '"sgd"', '"adamw"']);
    const status = 'status == "F';
    expect(
      complete(status, status.length, context).items.map(item => item.insert)
    ).toEqual(['"Failed"']);
  });

  it('offers recent queries on an empty bar, or ones that continue the text', () => {
    expect(complete('', 0, context).items.map(item => item.label)).toEqual([
      'lr < 0.1',
      'optimizer == "adam"'
    ]);
    const text = 'optimizer == "adam" ';
    const completion = complete(text, text.length, context);
    expect(completion.items).toEqual([]);
  });
});
