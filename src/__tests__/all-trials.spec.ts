import { IAllTrialsResponse, ITrialRow } from '../api/types';
import { ALL_TRIALS_LIMIT, allTrialsSource } from '../models/allTrials';
import { ExperimentViewModel } from '../models/experimentView';
import { BLOCK_ROWS } from '../models/tableLoader';
import { ITableRequest, serveTable } from './fakes';

function row(name: string, experiment: string, lr: number): ITrialRow {
  return {
    name,
    experiment_name: experiment,
    variables: { lr },
    tags: {},
    notes: null,
    status: 'Completed',
    creation_time: '2026-01-01T00:00:00Z',
    last_activity: null,
    start_time: null,
    end_time: null,
    components: [],
    parameters: { lr },
    metrics: {},
    objective_value: null,
    provenance: null
  };
}

const ROWS = [row('a-1', 'a', 0.1), row('b-1', 'b', 0.1), row('b-2', 'b', 1)];

describe('All trials view', () => {
  it('reads GET trials with the query and a cap, and shows an Experiment column', async () => {
    const asked: unknown[] = [];
    const client = {
      getAllTrials: async (query: unknown): Promise<IAllTrialsResponse> => {
        asked.push(query);
        const narrowed = !!(query as { q?: string }).q;
        const { trials, total } = serveTable(
          narrowed ? ROWS.slice(0, 2) : ROWS,
          query as ITableRequest
        );
        return {
          total,
          offset: 0,
          limit: ALL_TRIALS_LIMIT,
          sort: null,
          order: 'asc',
          columns: { variables: ['lr'], parameters: ['lr'], metrics: [] },
          trials
        };
      },
      getTrial: async () => {
        throw new Error('not needed');
      }
    };
    const model = new ExperimentViewModel({
      name: '',
      crossExperiment: true,
      source: allTrialsSource(client)
    });
    await model.initialize();
    expect(model.detail).toBeNull();
    expect(model.visibleColumns.slice(0, 2).map(column => column.id)).toEqual([
      'name',
      'experiment_name'
    ]);
    expect(model.variableValues('experiment')).toEqual(['a', 'b']);
    model.query.setText('lr == 0.1');
    await model.settled();
    expect(asked[asked.length - 1]).toEqual({
      q: 'lr == 0.1',
      search: '',
      statuses: [],
      offset: 0,
      limit: BLOCK_ROWS
    });
    const shown = Array.from({ length: model.total }, (_, i) => model.rowAt(i));
    expect(shown.map(item => item?.experiment_name)).toEqual(['a', 'b']);
    model.query.setFilter('experiment_name', { kind: 'text', text: 'b' });
    expect(model.query.terms[0].text).toBe('"b" in experiment');
  });
});
