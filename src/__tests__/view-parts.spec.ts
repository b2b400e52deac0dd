import { ColumnLayoutModel, IViewStateStore } from '../models/columnLayout';
import { SelectionModel } from '../models/selection';

class MemoryStore implements IViewStateStore {
  values = new Map<string, unknown>();
  async fetch(id: string): Promise<unknown> {
    return this.values.get(id);
  }
  async save(id: string, value: never): Promise<void> {
    this.values.set(id, JSON.parse(JSON.stringify(value)));
  }
}

const AVAILABLE = {
  variables: ['lr'],
  parameters: ['lr', 'batch'],
  metrics: ['loss']
};

describe('ColumnLayoutModel', () => {
  it('builds columns from the names, notifies its own views and remembers choices', async () => {
    const store = new MemoryStore();
    const layout = new ColumnLayoutModel({ stateKey: 'k', stateStore: store });
    expect(layout.setAvailable(AVAILABLE)).toBe(true);
    expect(layout.setAvailable({ ...AVAILABLE })).toBe(false);
    let changes = 0;
    layout.changed.connect(() => (changes += 1));
    layout.setStatVisible('avg', true);
    layout.setColumnVisible('status', false);
    layout.moveColumn('variables.lr', -10);
    expect(changes).toBe(3);
    expect(layout.visibleColumns.map(column => column.id)).toContain(
      'metrics.loss.avg'
    );
    expect(layout.isColumnVisible('status')).toBe(false);
    // Pinned `name` stays first; lr moved to the front of the rest.
    expect(layout.allColumns.slice(0, 2).map(column => column.id)).toEqual([
      'name',
      'variables.lr'
    ]);
    await Promise.resolve();
    const again = new ColumnLayoutModel({ stateKey: 'k', stateStore: store });
    await again.restore();
    again.setAvailable(AVAILABLE);
    expect(again.isColumnVisible('status')).toBe(false);
    expect(again.state.stats).toContain('avg');
  });

  it('adds the Experiment column for the view of all trials', () => {
    const layout = new ColumnLayoutModel({
      stateKey: 'k',
      withExperiment: true
    });
    expect(layout.allColumns.map(column => column.id).slice(0, 2)).toEqual([
      'name',
      'experiment_name'
    ]);
  });
});

describe('SelectionModel', () => {
  it('selects, toggles and extends in the given order, and drops deleted trials', () => {
    const order = ['a', 'b', 'c', 'd'];
    const existing = new Set(order);
    const selection = new SelectionModel({
      order: () => order,
      exists: name => existing.has(name)
    });
    let changes = 0;
    selection.changed.connect(() => (changes += 1));
    selection.select('b');
    selection.select('d', { range: true });
    expect([...selection.names]).toEqual(['b', 'c', 'd']);
    const before = selection.names;
    selection.select('c', { toggle: true });
    expect([...selection.names]).toEqual(['b', 'd']);
    expect(selection.names).not.toBe(before);
    existing.delete('d');
    selection.prune();
    expect([...selection.names]).toEqual(['b']);
    selection.prune();
    expect(changes).toBe(4);
    selection.setNames(['a', 'zz']);
    expect([...selection.names]).toEqual(['a']);
  });
});
