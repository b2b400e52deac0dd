import {
  IExperimentDetail,
  ITrialColumns,
  ITrialGroupsResponse,
  ITrialRow,
  Status
} from '../api/types';
import { QueryRequestError } from '../api/client';
import { csvField, toCSV } from '../models/csv';
import {
  ExperimentViewModel,
  IExperimentViewSource,
  IViewStateStore
} from '../models/experimentView';
import { BLOCK_ROWS, TableLoader } from '../models/tableLoader';
import { TrialGroupsModel } from '../models/trialGroups';
import { serveTable } from './fakes';
import { variableSetLabel } from '../models/trialColumns';
import { groupCurves, pointsPerTrace, smooth } from '../plot/curves';

function trial(
  name: string,
  variables: Record<string, string | number>,
  loss: number | 'NaN' | null,
  status: Status = 'Completed'
): ITrialRow {
  return {
    name,
    experiment_name: 'exp',
    variables,
    tags: {},
    notes: null,
    status,
    creation_time: '2026-01-01T00:00:00Z',
    last_activity: null,
    start_time: '2026-01-01T00:00:00Z',
    end_time: '2026-01-01T00:00:10Z',
    components: [],
    parameters: { ...variables, batch: 32 },
    metrics:
      loss === null
        ? {}
        : {
            loss: {
              min: loss,
              max: loss,
              avg: loss,
              stddev: 0,
              last: loss,
              count: 3
            }
          },
    objective_value: loss,
    provenance: null
  };
}

const COLUMNS: ITrialColumns = {
  variables: ['model', 'lr'],
  parameters: ['model', 'lr', 'batch'],
  metrics: ['loss']
};

const ROWS = [
  trial('t-a', { model: 'custom', lr: 0.1 }, 0.5),
  trial('t-b', { model: 'resnet50', lr: 0.1 }, 0.2),
  trial('t-c', { model: 'custom', lr: 0.01 }, 'NaN', 'Failed'),
  trial('t-d', { model: 'resnet50', lr: 0.01 }, null, 'InProgress'),
  trial('t-e', { model: 'custom', lr: 0.001 }, 0.9)
];

class MemoryStore implements IViewStateStore {
  values = new Map<string, unknown>();
  async fetch(id: string): Promise<unknown> {
    return this.values.get(id);
  }
  async save(id: string, value: never): Promise<void> {
    this.values.set(id, JSON.parse(JSON.stringify(value)));
  }
}

type TableQuery = Parameters<IExperimentViewSource['getTrialTable']>[1];

/**
 * Serves `rows`, sorted and paged as the server does; a narrowed request is
 * answered by `answer` (the server's query engine is tested in Python: here
 * only what the view asks and shows).
 */
function source(
  rows: ITrialRow[] = ROWS,
  answer: (query: TableQuery) => ITrialRow[] = () => rows,
  asked: TableQuery[] = []
): IExperimentViewSource {
  return {
    getExperiment: async name =>
      ({
        name,
        objective: null,
        variables: null
      }) as unknown as IExperimentDetail,
    getTrialTable: async (_name, query) => {
      asked.push(query);
      const narrowed = !!(query?.q || query?.search || query?.statuses?.length);
      return {
        columns: COLUMNS,
        ...serveTable(narrowed ? answer(query) : rows, query)
      };
    }
  };
}

async function loaded(
  stateStore: IViewStateStore | null = null,
  rows: ITrialRow[] = ROWS
): Promise<ExperimentViewModel> {
  const model = new ExperimentViewModel({
    name: 'exp',
    source: source(rows),
    stateStore
  });
  await model.initialize();
  return model;
}

/** The matching rows in table order (every one is loaded in these small tables). */
const names = (model: ExperimentViewModel) =>
  Array.from({ length: model.total }, (_, i) => model.rowAt(i)?.name);

/** Sort and wait for the server's answer. */
async function sorted(
  model: ExperimentViewModel,
  sort: Parameters<ExperimentViewModel['setSort']>[0]
): Promise<void> {
  model.setSort(sort);
  await model.settled();
}

describe('ExperimentViewModel', () => {
  it('builds columns for variables, parameters (not repeating variables) and metric stats', async () => {
    const model = await loaded();
    const ids = model.visibleColumns.map(column => column.id);
    expect(ids[0]).toBe('name');
    expect(ids).toEqual(
      expect.arrayContaining([
        'status',
        'duration',
        'start_time',
        'variables.model',
        'variables.lr',
        'parameters.batch',
        'metrics.loss.min',
        'metrics.loss.max',
        'metrics.loss.last'
      ])
    );
    expect(ids).not.toContain('parameters.model');
    expect(ids).not.toContain('metrics.loss.avg');
    model.columns.setStatVisible('avg', true);
    expect(model.visibleColumns.map(column => column.id)).toContain(
      'metrics.loss.avg'
    );
  });

  it('sorts numbers both ways with missing and NaN values last', async () => {
    const model = await loaded();
    await sorted(model, { column: 'metrics.loss.min', descending: false });
    expect(names(model)).toEqual(['t-b', 't-a', 't-e', 't-c', 't-d']);
    await sorted(model, { column: 'metrics.loss.min', descending: true });
    expect(names(model).slice(0, 3)).toEqual(['t-e', 't-a', 't-b']);
    expect(names(model).slice(3).sort()).toEqual(['t-c', 't-d']);
    model.cycleSort('variables.model');
    expect(model.sort).toEqual({
      column: 'variables.model',
      descending: false
    });
    model.cycleSort('variables.model');
    model.cycleSort('variables.model');
    expect(model.sort).toBeNull();
    await model.settled();
    expect(names(model)).toEqual(['t-a', 't-b', 't-c', 't-d', 't-e']);
  });

  it('sends filters and brushes as query terms with statuses and search, and shows the answer', async () => {
    const asked: TableQuery[] = [];
    const model = new ExperimentViewModel({
      name: 'exp',
      source: source(ROWS, () => [ROWS[1], ROWS[3]], asked)
    });
    await model.initialize();
    model.query.setFilter('variables.model', { kind: 'text', text: 'res' });
    await model.settled();
    expect(asked[asked.length - 1]).toEqual({
      q: '("res" in variables.model)',
      search: '',
      statuses: [],
      offset: 0,
      limit: BLOCK_ROWS
    });
    expect(names(model)).toEqual(['t-b', 't-d']);
    model.query.setFilter('variables.model', null);
    model.query.setFilter('metrics.loss.last', {
      kind: 'range',
      min: 0.3,
      max: null
    });
    model.query.setStatuses(['Failed']);
    model.query.setSearch('lr=0.01');
    model.query.setBrushes(
      new Map([
        ['objective_value', { kind: 'ranges', ranges: [[0.1, 0.6]] }],
        ['variables.model', { kind: 'values', values: ['custom'] }]
      ])
    );
    model.query.setText('lr < 0.1');
    await model.settled();
    expect(asked[asked.length - 1]).toEqual({
      q:
        '(lr < 0.1\n) and (metrics.loss.last >= 0.3) and ' +
        '(objective >= 0.1 and objective <= 0.6) and (variables.model in ["custom"])',
      search: 'lr=0.01',
      statuses: ['Failed'],
      offset: 0,
      limit: BLOCK_ROWS
    });
    model.query.setFilter('metrics.loss.last', {
      kind: 'range',
      min: null,
      max: null
    });
    expect(model.query.filters.size).toBe(0);
    const before = asked.length;
    model.query.clear();
    await model.settled();
    // Nothing narrows: one request for the first window of the whole table.
    expect(asked).toHaveLength(before + 1);
    expect(asked[asked.length - 1]).toEqual({
      q: '',
      search: '',
      statuses: [],
      offset: 0,
      limit: BLOCK_ROWS
    });
    expect(names(model)).toHaveLength(5);
  });

  it('places a refused query on the typed text and remembers good ones', async () => {
    const store = new MemoryStore();
    const refusing: IExperimentViewSource = {
      ...source(),
      getTrialTable: async (_name, query) => {
        if (query?.q?.includes('lrr')) {
          const at = query.q.indexOf('lrr');
          throw new QueryRequestError('Bad parameter q', {
            message: "unknown name 'lrr': did you mean 'lr'?",
            offset: at,
            end: at + 3,
            line: 1,
            column: at + 1
          });
        }
        return {
          columns: COLUMNS,
          ...serveTable(query?.q ? [ROWS[0]] : ROWS, query)
        };
      }
    };
    const model = new ExperimentViewModel({
      name: 'exp',
      source: refusing,
      stateStore: store
    });
    await model.initialize();
    model.query.setText('seed == 1 and lrr < 0.1');
    await model.settled();
    expect(model.query.error).toEqual({
      message: "unknown name 'lrr': did you mean 'lr'?",
      start: 14,
      end: 17
    });
    // With a filter term the typed text sits inside parentheses: still placed on it.
    model.query.setFilter('variables.model', { kind: 'text', text: 'c' });
    await model.settled();
    expect(model.query.error?.start).toBe(14);
    model.query.setFilter('variables.model', null);
    model.query.setText('lr < 0.1');
    await model.settled();
    expect(model.query.error).toBeNull();
    expect(names(model)).toEqual(['t-a']);
    expect(model.query.recent).toEqual(['lr < 0.1']);
    expect(store.values.get('trialbook-queries:exp')).toEqual(['lr < 0.1']);
    const again = await loaded(store);
    await again.settled();
    expect(again.query.recent).toEqual(['lr < 0.1']);
  });

  it('selects with click, ctrl-click and shift-click in visible order', async () => {
    const model = await loaded();
    const emitted: number[] = [];
    model.selectionChanged.connect(() => emitted.push(model.selection.size));
    model.select('t-b');
    model.select('t-d', { toggle: true });
    expect([...model.selection]).toEqual(['t-b', 't-d']);
    const before = model.selection;
    model.select('t-b', { toggle: true });
    expect([...model.selection]).toEqual(['t-d']);
    expect(model.selection).not.toBe(before);
    model.select('t-a');
    model.select('t-c', { range: true });
    expect([...model.selection]).toEqual(['t-a', 't-b', 't-c']);
    // Ranges follow the sorted order.
    await sorted(model, { column: 'metrics.loss.min', descending: false });
    model.select('t-b');
    model.select('t-e', { range: true });
    expect([...model.selection].sort()).toEqual(['t-a', 't-b', 't-e']);
    expect(emitted.length).toBeGreaterThanOrEqual(7);
  });

  it('keeps sort, filters and selection across a live refresh; drops deleted trials', async () => {
    const rows = [...ROWS];
    const model = new ExperimentViewModel({
      name: 'exp',
      source: source(rows, () =>
        rows.filter(row => row.variables?.model === 'custom')
      )
    });
    await model.initialize();
    await sorted(model, { column: 'metrics.loss.min', descending: true });
    model.query.setFilter('variables.model', { kind: 'text', text: 'custom' });
    model.setSelection(['t-a', 't-c']);
    rows.splice(2, 1); // t-c deleted
    rows.push(trial('t-f', { model: 'custom', lr: 1 }, 0.95));
    await model.refresh();
    await model.settled();
    expect(model.sort).toEqual({
      column: 'metrics.loss.min',
      descending: true
    });
    expect(names(model)).toEqual(['t-f', 't-e', 't-a']);
    expect([...model.selection]).toEqual(['t-a']);
  });

  it('remembers column choices per experiment', async () => {
    const store = new MemoryStore();
    const model = await loaded(store);
    model.columns.setColumnVisible('status', false);
    model.columns.setPinned('variables.model', true);
    model.columns.moveColumn('variables.lr', -1);
    model.columns.setColumnWidth('name', 300.4);
    await Promise.resolve();
    const again = await loaded(store);
    expect(again.isColumnVisible('status')).toBe(false);
    expect(again.visibleColumns.slice(0, 2).map(column => column.id)).toEqual([
      'name',
      'variables.model'
    ]);
    expect(again.columnState.widths.name).toBe(300);
    const order = again.allColumns.map(column => column.id);
    expect(order.indexOf('variables.lr')).toBeLessThan(
      order.indexOf('start_time') + 3
    );
    again.columns.reset();
    expect(again.isColumnVisible('status')).toBe(true);
  });

  it('exports the visible rows and columns as CSV', async () => {
    const model = await loaded(null, [
      trial('plain', { model: 'a,b', lr: 0.1 }, 0.5),
      trial('quote "q"', { model: '=cmd()', lr: -1 }, 'NaN')
    ]);
    for (const id of ['status', 'duration', 'start_time', 'objective_value']) {
      model.columns.setColumnVisible(id, false);
    }
    model.columns.setStatVisible('max', false);
    model.columns.setStatVisible('min', false);
    const csv = await model.toCSV();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Trial,model,lr,batch,loss (last)');
    expect(lines[1]).toBe('plain,"a,b",0.1,32,0.5');
    expect(lines[2]).toBe('"quote ""q""",\'=cmd(),-1,32,NaN');
    expect(lines[3]).toBe('');

    // Averaged over seeds on screen: the export is the group rows.
    const response: ITrialGroupsResponse = {
      by: ['lr'],
      spread: 'sd',
      groups: [
        {
          key: { lr: 0.1 },
          n: 1,
          trials: ['plain'],
          metrics: {
            'loss - Last': { mean: 0.5, lo: null, hi: null, sd: null, n: 1 }
          }
        }
      ]
    };
    const groups = new TrialGroupsModel({
      name: 'e1',
      source: { getTrialGroups: async () => response }
    });
    groups.setSpread('sd');
    expect((await model.toCSV(groups)).split('\r\n')[0]).toBe(
      'Trial,model,lr,batch,loss (last)'
    );
    groups.setEnabled(true);
    await groups.refresh();
    expect((await model.toCSV(groups)).split('\r\n')).toEqual([
      'Group,n,model,lr,loss (last) mean,loss (last) mean − sd,loss (last) mean + sd',
      'lr=0.1,1,"a,b",0.1,0.5,,',
      '"quote ""q""",1,\'=cmd(),-1,NaN,,',
      ''
    ]);
  });
});

describe('ExperimentViewModel windows', () => {
  /** Serves windows of `rows` as the server does; reads wait while `hold` is set. */
  function windowSource(rows: ITrialRow[]) {
    const queries: TableQuery[] = [];
    const gate = { hold: null as Promise<void> | null };
    const windowed: IExperimentViewSource = {
      ...source(rows),
      getTrialTable: async (_name, query) => {
        queries.push(query);
        const hold = gate.hold;
        if (hold) {
          await hold;
        }
        return { columns: COLUMNS, ...serveTable(rows, query) };
      }
    };
    return { windowed, queries, gate };
  }

  const many = Array.from({ length: 1200 }, (_, i) =>
    trial(`t-${String(i).padStart(4, '0')}`, { model: 'm', lr: i }, 1000 - i)
  );

  it('paints the first window, then reads only the rows scrolled to', async () => {
    const { windowed, queries } = windowSource(many);
    const model = new ExperimentViewModel({ name: 'exp', source: windowed });
    await model.initialize();
    expect(queries[0]).toEqual({
      q: '',
      search: '',
      statuses: [],
      offset: 0,
      limit: BLOCK_ROWS
    });
    expect(model.total).toBe(1200);
    expect(model.rowAt(0)?.name).toBe('t-0000');
    expect(model.rowAt(BLOCK_ROWS)).toBeUndefined(); // a placeholder
    model.ensureRange(500, 540);
    await new Promise(resolve => setTimeout(resolve, 0));
    await model.settled();
    expect(model.rowAt(520)?.name).toBe('t-0520');
    expect(queries[queries.length - 1]).toMatchObject({
      offset: 400,
      limit: BLOCK_ROWS
    });
    // Never the whole table: the rows between stay unread.
    expect(model.rowAt(300)).toBeUndefined();
    expect(queries.every(query => (query?.limit ?? 0) <= 5 * BLOCK_ROWS)).toBe(
      true
    );
    // A live refresh reads again what is on screen, keeping it shown meanwhile.
    const before = queries.length;
    const refreshing = model.refresh();
    expect(model.rowAt(520)?.name).toBe('t-0520');
    await refreshing;
    expect(queries.slice(before)).toContainEqual(
      expect.objectContaining({ offset: 400, limit: BLOCK_ROWS })
    );
  });

  it('sorts on the server and drops an older answer that comes late', async () => {
    const { windowed, queries, gate } = windowSource(many);
    const model = new ExperimentViewModel({ name: 'exp', source: windowed });
    await model.initialize();
    let release = (): void => undefined;
    gate.hold = new Promise<void>(resolve => (release = resolve));
    model.setSort({ column: 'metrics.loss.min', descending: true });
    gate.hold = null;
    model.setSort({ column: 'metrics.loss.min', descending: false });
    await new Promise(resolve => setTimeout(resolve, 0));
    release();
    await model.settled();
    expect(queries.slice(-2).map(query => query?.order)).toEqual([
      'desc',
      'asc'
    ]);
    expect(queries[queries.length - 1]?.sort).toBe('metrics.loss.min');
    // The ascending answer stands: the smallest loss (the last trial) first.
    expect(model.rowAt(0)?.name).toBe('t-1199');
    expect(model.sort?.descending).toBe(false);
  });

  it('reads only where a burst of scrolls ends, once', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      trial(`r-${i}`, { model: 'm', lr: i }, i)
    );
    const asked: { offset: number; limit: number }[] = [];
    const loader = new TableLoader({
      fetch: async query => {
        asked.push({ offset: query.offset, limit: query.limit });
        return { columns: COLUMNS, ...serveTable(rows, query) };
      }
    });
    await loader.setQuery({});
    asked.length = 0;
    for (let start = 0; start < 9_000; start += 300) {
      loader.ensureRange(start, start + 40); // a scrollbar dragged down
    }
    loader.ensureRange(9_000, 9_040);
    loader.ensureRange(9_000, 9_040); // asked twice: read once
    await new Promise(resolve => setTimeout(resolve, 0));
    await loader.settled();
    expect(asked).toEqual([{ offset: 9_000, limit: BLOCK_ROWS }]);
    expect(loader.rowAt(9_039)?.name).toBe('r-9039');
  });

  it('keeps a bounded number of blocks however far one scrolls', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) =>
      trial(`r-${i}`, { model: 'm', lr: i }, i)
    );
    const loader = new TableLoader({
      fetch: async query => ({ columns: COLUMNS, ...serveTable(rows, query) }),
      blockRows: 50,
      maxBlocks: 4
    });
    await loader.setQuery({});
    for (let start = 0; start < 5_000; start += 400) {
      loader.ensureRange(start, start + 60);
      await new Promise(resolve => setTimeout(resolve, 0));
      await loader.settled();
      expect(loader.rowAt(start + 59)?.name).toBe(`r-${start + 59}`);
      expect(loader.loadedRows().length).toBeLessThanOrEqual(4 * 50);
    }
    expect(loader.total).toBe(5_000);
  });
});

describe('CSV fields', () => {
  it('quotes what needs quoting', () => {
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('-12')).toBe('-12');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(toCSV(['a'], [[1], [true]])).toBe('a\r\n1\r\ntrue\r\n');
  });
});

describe('curve helpers', () => {
  it('smooths with a debiased EMA and keeps gaps', () => {
    expect(smooth([1, 1, 1], 0.9)).toEqual([1, 1, 1]);
    const out = smooth([0, null, 10], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo(20 / 3);
    expect(smooth([1, 2], 0)).toEqual([1, 2]);
  });

  it('groups curves into mean and min–max on a shared grid', () => {
    const groups = groupCurves([
      { id: 'a', label: 'a', x: [0, 1, 2], y: [0, 1, 2], group: 'x' },
      { id: 'b', label: 'b', x: [0, 2], y: [2, 4], group: 'x' },
      { id: 'c', label: 'c', x: [0, 1], y: [5, 5], group: 'y' }
    ]);
    expect(groups.map(g => g.group)).toEqual(['x', 'y']);
    expect(groups[0].x).toEqual([0, 1, 2]);
    expect(groups[0].mean).toEqual([1, 2, 3]);
    expect(groups[0].min).toEqual([0, 1, 2]);
    expect(groups[0].max).toEqual([2, 3, 4]);
    expect(groups[1].count).toBe(1);
  });

  it('asks for about two points per pixel within the chart budget', () => {
    expect(pointsPerTrace(800, 10)).toBe(1600);
    expect(pointsPerTrace(2000, 10)).toBe(2000);
    expect(pointsPerTrace(800, 1000)).toBe(200);
    expect(pointsPerTrace(800, 1, { zoom: 10 })).toBe(16000);
  });
});

describe('trial labels', () => {
  it('labels a trial by its variable set, remembered with the columns', async () => {
    expect(variableSetLabel(ROWS[0])).toBe('model=custom, lr=0.1');
    expect(variableSetLabel({ ...ROWS[0], variables: {} })).toBe('t-a');
    const store = new MemoryStore();
    const model = await loaded(store);
    expect(model.columnState.nameAs).toBe('name');
    model.columns.setNameAs('variables');
    await Promise.resolve();
    const again = await loaded(store);
    expect(again.columnState.nameAs).toBe('variables');
  });
});
