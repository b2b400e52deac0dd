import { IChange } from '../api/types';
import { ILiveSnapshotItem, LiveEvent } from '../kernel/validate';
import { UpdateCoalescer } from '../models/coalescer';
import { appendToTail, extendSummary, mergeTail } from '../models/metrics';
import { TrialbookModel } from '../models/trialbook';
import { FakeSource, settle, summary, trialRow } from './fakes';

/** A coalescer flushed by hand, so tests see exactly when views would render. */
function manualCoalescer() {
  const frames: (() => void)[] = [];
  const coalescer = new UpdateCoalescer({
    rate: 0,
    requestFrame: callback => frames.push(callback)
  });
  return {
    coalescer,
    frame: () => frames.splice(0).forEach(callback => callback())
  };
}

function metricsEvent(
  component: string,
  steps: number[],
  values: number[]
): LiveEvent {
  return {
    kind: 'metrics',
    component,
    trials: ['t1'],
    experiments: ['e1'],
    series: {
      loss: {
        steps: new Float64Array(steps),
        times: new Float64Array(steps.map(() => 0)),
        values: new Float64Array(values)
      }
    }
  };
}

function change(
  entity: string,
  kind = 'metrics.appended',
  experiments = ['e1']
): IChange {
  return {
    seq: 1,
    time: '2026-11-28T06:00:00+00:00',
    kind,
    entity_type: 'component',
    entity_name: entity,
    experiment_name: experiments[0] ?? null,
    payload: { experiments, trials: ['t1'] }
  };
}

async function loadedModel() {
  const source = new FakeSource();
  source.experiments = [
    summary('e1', { trial_count: 1, status: 'InProgress' })
  ];
  source.trials = { e1: [trialRow('t1')] };
  const { coalescer, frame } = manualCoalescer();
  const model = new TrialbookModel({ source, coalescer, reloadDelay: 0 });
  await model.refresh();
  await model.experiment('e1')!.loadTrials();
  source.calls = [];
  return { source, model, frame };
}

/** Wait for the gathered reload to run. */
async function reloadRan(): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, 5));
  await settle();
}

describe('TrialbookModel', () => {
  it('loads experiments, then trials on demand', async () => {
    const { model } = await loadedModel();
    expect(model.experiments.map(e => e.name)).toEqual(['e1']);
    const experiment = model.experiment('e1')!;
    expect(experiment.trials.map(t => t.name)).toEqual(['t1']);
    expect(experiment.runningCount).toBe(1);
  });

  it('applies live points at once: latest value, summary and sparkline', async () => {
    const { model } = await loadedModel();
    model.applyLiveUpdate({
      kernelId: 'k',
      events: [metricsEvent('c1', [0, 1, 2], [0.9, 0.5, 0.7])],
      snapshot: null,
      resync: false
    });
    const experiment = model.experiment('e1')!;
    const trial = experiment.trials[0];
    expect(trial.metrics.loss).toMatchObject({
      last: 0.7,
      min: 0.5,
      max: 0.9,
      count: 3
    });
    expect(experiment.tail('t1', 'loss')?.values).toEqual([0.9, 0.5, 0.7]);
  });

  it('applies a live status and marks the experiment for reconciliation', async () => {
    const { model, source } = await loadedModel();
    model.applyLiveUpdate({
      kernelId: 'k',
      events: [
        {
          kind: 'status',
          component: 'c1',
          trials: ['t1'],
          experiments: ['e1'],
          status: 'Completed',
          status_message: null,
          start_time: null,
          end_time: null
        }
      ],
      snapshot: null,
      resync: false
    });
    expect(model.experiment('e1')!.trials[0].status).toBe('Completed');
    await reloadRan();
    expect(source.calls).toContain('listExperiments');
  });

  it('does not reload what the comm already delivered when the change feed echoes it', async () => {
    const { model, source } = await loadedModel();
    model.applyLiveUpdate({
      kernelId: 'k',
      events: [metricsEvent('c1', [0], [1])],
      snapshot: null,
      resync: false
    });
    await reloadRan();
    source.calls = [];

    model.applyChanges([change('c1')]); // the same write, seen by the feed
    await reloadRan();
    expect(source.calls).toEqual([]);

    model.applyChanges([change('written-by-a-script')]); // another writer
    await reloadRan();
    expect(source.calls).toEqual(
      expect.arrayContaining(['listExperiments', 'getTrialTable:e1'])
    );
  });

  it('gathers a burst of change-feed rows into one reload', async () => {
    const { model, source } = await loadedModel();
    model.applyChanges([change('a'), change('b')]);
    model.applyChanges([change('c')]);
    await reloadRan();
    expect(
      source.calls.filter(call => call === 'listExperiments')
    ).toHaveLength(1);
    expect(
      source.calls.filter(call => call === 'getTrialTable:e1')
    ).toHaveLength(1);
  });

  it('refetches everything on a resync (gap, new kernel session)', async () => {
    const { model, source } = await loadedModel();
    model.applyLiveUpdate({
      kernelId: 'k',
      events: [],
      snapshot: null,
      resync: true
    });
    await reloadRan();
    expect(source.calls).toEqual(
      expect.arrayContaining(['listExperiments', 'getTrialTable:e1'])
    );
  });

  it('applies a snapshot (page reload while a kernel trains)', async () => {
    const { model } = await loadedModel();
    const item: ILiveSnapshotItem = {
      component: 'c1',
      trials: ['t1'],
      experiments: ['e1'],
      status: 'InProgress',
      latest: {
        loss: {
          steps: new Float64Array([41]),
          times: new Float64Array([0]),
          values: new Float64Array([0.25])
        }
      }
    };
    model.applyLiveUpdate({
      kernelId: 'k',
      events: [],
      snapshot: [item],
      resync: false
    });
    expect(model.experiment('e1')!.tail('t1', 'loss')?.values).toEqual([0.25]);
  });

  it('notifies views at most once a frame, only for what changed', async () => {
    const { model, frame } = await loadedModel();
    frame();
    const experiment = model.experiment('e1')!;
    let experimentRenders = 0;
    let listRenders = 0;
    experiment.changed.connect(() => experimentRenders++);
    model.changed.connect(() => listRenders++);
    for (let step = 0; step < 50; step++) {
      model.applyLiveUpdate({
        kernelId: 'k',
        events: [metricsEvent('c1', [step], [step])],
        snapshot: null,
        resync: false
      });
    }
    expect(experimentRenders).toBe(0);
    frame();
    expect(experimentRenders).toBe(1);
    expect(listRenders).toBe(0);
  });

  it('filters by name, hypothesis and description, ignoring case', async () => {
    const source = new FakeSource();
    source.experiments = [
      summary('cifar10', { hypothesis: 'My model beats ResNet50' }),
      summary('mnist', { description: 'Learning-rate sweep' })
    ];
    const model = new TrialbookModel({ source, reloadDelay: 0 });
    await model.refresh();
    model.query = 'RESNET';
    expect(model.visibleExperiments.map(e => e.name)).toEqual(['cifar10']);
    model.query = 'sweep';
    expect(model.visibleExperiments.map(e => e.name)).toEqual(['mnist']);
  });

  it('keeps experiment models across reloads (views keep their state)', async () => {
    const { model, source } = await loadedModel();
    const before = model.experiment('e1');
    source.experiments = [summary('e1', { trial_count: 2 }), summary('e2')];
    await model.refresh();
    expect(model.experiment('e1')).toBe(before);
    expect(before!.summary.trial_count).toBe(2);
    expect(model.experiments).toHaveLength(2);
  });
});

describe('metric helpers', () => {
  it('counts a point seen over the comm and over REST once', () => {
    const live = appendToTail(undefined, [3, 4], [0.3, 0.4]);
    const merged = mergeTail(
      { steps: [1, 2, 3], values: [0.1, 0.2, 0.3] },
      live
    );
    expect(merged.steps).toEqual([1, 2, 3, 4]);
    expect(merged.values).toEqual([0.1, 0.2, 0.3, 0.4]);
  });

  it('extends a summary the way the store does (NaN skipped by min/max)', () => {
    const next = extendSummary(
      { min: 1, max: 2, avg: 1.5, stddev: 0.5, last: 2, count: 2 },
      [NaN, 4]
    );
    expect(next).toMatchObject({ min: 1, max: 4, last: 4, count: 4 });
    expect(next.avg).toBeCloseTo(7 / 3);
  });
});
