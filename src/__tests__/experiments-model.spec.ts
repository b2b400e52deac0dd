import { IExperimentSummary } from '../api/types';
import { ExperimentListModel } from '../models/experiments';
import { IExperimentSource } from '../tokens';

function experiment(
  name: string,
  extra: Partial<IExperimentSummary> = {}
): IExperimentSummary {
  return {
    name,
    description: null,
    hypothesis: null,
    objective: null,
    trial_count: 0,
    status_counts: {
      InProgress: 0,
      Completed: 0,
      Failed: 0,
      Stopped: 0,
      Interrupted: 0
    },
    status: null,
    creation_time: '2026-11-28T06:00:00+00:00',
    last_activity: null,
    ...extra
  };
}

/** A source serving whatever the test puts in `rows`, counting the loads. */
class ListSource implements IExperimentSource {
  rows: IExperimentSummary[] = [];
  loads = 0;
  failWith: string | null = null;

  async listExperiments(): Promise<IExperimentSummary[]> {
    this.loads += 1;
    if (this.failWith) {
      throw new Error(this.failWith);
    }
    return this.rows.map(row => ({ ...row }));
  }
}

describe('ExperimentListModel', () => {
  it('loads the experiments from its source', async () => {
    const source = new ListSource();
    source.rows = [experiment('alpha'), experiment('beta')];
    const model = new ExperimentListModel(source);

    await model.refresh();

    expect(model.experiments.map(e => e.name)).toEqual(['alpha', 'beta']);
    expect(model.loading).toBe(false);
    expect(model.error).toBeNull();
  });

  it('filters by name, hypothesis and description, ignoring case', async () => {
    const source = new ListSource();
    source.rows = [
      experiment('cifar10-custom-vs-resnet50', {
        hypothesis: 'My custom model beats ResNet50'
      }),
      experiment('mnist-lr', { description: 'Learning-rate sweep' }),
      experiment('imagenet')
    ];
    const model = new ExperimentListModel(source);
    await model.refresh();

    model.query = 'RESNET';
    expect(model.visibleExperiments.map(e => e.name)).toEqual([
      'cifar10-custom-vs-resnet50'
    ]);
    model.query = 'sweep';
    expect(model.visibleExperiments.map(e => e.name)).toEqual(['mnist-lr']);
    model.query = '  ';
    expect(model.visibleExperiments).toHaveLength(3);
  });

  it('shares one load between overlapping refreshes', async () => {
    const source = new ListSource();
    const model = new ExperimentListModel(source);

    await Promise.all([model.refresh(), model.refresh(), model.refresh()]);
    expect(source.loads).toBe(1);

    await model.refresh();
    expect(source.loads).toBe(2);
  });

  it('keeps the last good list and reports the error when a load fails', async () => {
    const source = new ListSource();
    source.rows = [experiment('alpha')];
    const model = new ExperimentListModel(source);
    await model.refresh();

    source.failWith = 'Forbidden';
    await model.refresh();

    expect(model.error).toBe('Forbidden');
    expect(model.experiments.map(e => e.name)).toEqual(['alpha']);

    source.failWith = null;
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('emits changed for loads and queries, but not for an unchanged query', async () => {
    const source = new ListSource();
    source.rows = [experiment('alpha')];
    const model = new ExperimentListModel(source);
    let emitted = 0;
    model.changed.connect(() => {
      emitted += 1;
    });

    await model.refresh();
    expect(emitted).toBe(2); // loading on, loading off

    model.query = 'a';
    model.query = 'a';
    expect(emitted).toBe(3);
  });

  it('keeps the same list object when a reload brings identical data', async () => {
    const source = new ListSource();
    source.rows = [experiment('alpha', { trial_count: 2 })];
    const model = new ExperimentListModel(source);
    await model.refresh();
    const first = model.experiments;

    await model.refresh();
    expect(model.experiments).toBe(first);

    source.rows = [experiment('alpha', { trial_count: 3 })];
    await model.refresh();
    expect(model.experiments).not.toBe(first);
    expect(model.experiments[0].trial_count).toBe(3);
  });
});
