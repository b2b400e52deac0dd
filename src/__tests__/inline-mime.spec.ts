import { IMetricSeriesResponse, ITrialTableResponse } from '../api/types';
import { LiveEvent } from '../kernel/validate';
import { IChartPayload, MIME_TYPES, parsePayload } from '../mime/payload';
import { pngBase64, PngWriteback } from '../mime/pngWriteback';
import { IInlineChartSource, InlineChartModel } from '../models/inlineChart';
import { settle, trialRow } from './fakes';

const CHART = {
  version: 1,
  kind: 'chart',
  chart_id: 'abc',
  metric: 'loss',
  owner_kind: 'trial',
  owners: ['t1'],
  experiment: 'e1',
  options: { x: 'step', group_by: null, smoothing: 0.5, log_y: true }
};

describe('parsePayload', () => {
  it('reads a chart and tells an experiment chart from a trial chart', () => {
    const experiment = parsePayload(MIME_TYPES.chart, {
      ...CHART,
      scope: 'experiment'
    }) as IChartPayload;
    expect(experiment.kind).toBe('chart');
    expect(experiment.scope).toBe('experiment');
    expect(experiment.options).toEqual({
      x: 'step',
      group_by: null,
      smoothing: 0.5,
      log_y: true
    });
    const trial = parsePayload(MIME_TYPES.chart, {
      ...CHART,
      scope: 'owners'
    }) as IChartPayload;
    expect(trial.scope).toBe('owners');
    const component = parsePayload(MIME_TYPES.chart, {
      ...CHART,
      owner_kind: 'component',
      experiment: null
    }) as IChartPayload;
    expect(component.scope).toBe('owners');
  });

  it('rejects malformed or newer payloads with a message', () => {
    expect(parsePayload(MIME_TYPES.chart, { ...CHART, owners: 'x' })).toEqual({
      error: 'malformed chart output'
    });
    expect(parsePayload(MIME_TYPES.trial, null)).toHaveProperty('error');
    expect(
      parsePayload(MIME_TYPES.experiment, { version: 9, name: 'e' })
    ).toHaveProperty('error');
    expect(parsePayload('text/html', CHART)).toHaveProperty('error');
  });

  it('clamps options it does not understand to defaults', () => {
    const chart = parsePayload(MIME_TYPES.chart, {
      ...CHART,
      options: { x: 'bogus', smoothing: 3, log_y: 'yes' }
    }) as IChartPayload;
    expect(chart.options).toEqual({
      x: 'step',
      group_by: null,
      smoothing: 0,
      log_y: false
    });
  });

  it('keeps names as given and drops unknown statuses', () => {
    const trial = parsePayload(MIME_TYPES.trial, {
      name: '<b>t</b>',
      experiment: 'e1',
      status: 'Weird',
      variables: { lr: 0.1, nested: [1] }
    });
    expect(trial).toEqual({
      kind: 'trial',
      name: '<b>t</b>',
      experiment: 'e1',
      status: null,
      variables: { lr: 0.1, nested: '[1]' }
    });
  });
});

/** A timer driven by hand. */
function manualTimer() {
  let now = 0;
  const queue: { at: number; callback: () => void; id: number }[] = [];
  let ids = 0;
  return {
    timer: {
      now: () => now,
      setTimeout: (callback: () => void, ms: number) => {
        queue.push({ at: now + ms, callback, id: ++ids });
        return ids;
      },
      clearTimeout: (id: unknown) => {
        const index = queue.findIndex(item => item.id === id);
        if (index >= 0) {
          queue.splice(index, 1);
        }
      }
    },
    async advance(ms: number) {
      now += ms;
      for (const item of queue.filter(entry => entry.at <= now)) {
        queue.splice(queue.indexOf(item), 1);
        item.callback();
      }
      await settle();
    }
  };
}

describe('PngWriteback', () => {
  it('writes once a change settles, then at most once per interval', async () => {
    const clock = manualTimer();
    const write = jest.fn(async () => true);
    const writeback = new PngWriteback({
      write,
      interval: 10_000,
      settle: 1_000,
      timer: clock.timer
    });
    await clock.advance(20_000);
    expect(write).not.toHaveBeenCalled(); // nothing changed

    writeback.changed();
    writeback.changed();
    await clock.advance(999);
    expect(write).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(write).toHaveBeenCalledTimes(1);

    // A stream of changes: the next write waits for the interval.
    for (let i = 0; i < 9; i++) {
      writeback.changed();
      await clock.advance(1_000);
    }
    expect(write).toHaveBeenCalledTimes(1);
    await clock.advance(1_000);
    expect(write).toHaveBeenCalledTimes(2);

    // Nothing new: nothing written.
    await clock.advance(60_000);
    expect(write).toHaveBeenCalledTimes(2);
    writeback.dispose();
  });

  it('retries on the next change when there was nothing to capture', async () => {
    const clock = manualTimer();
    let drawn = false;
    const write = jest.fn(async () => drawn);
    const writeback = new PngWriteback({ write, timer: clock.timer });
    writeback.changed();
    await clock.advance(1_000);
    expect(write).toHaveBeenCalledTimes(1);
    await clock.advance(60_000);
    expect(write).toHaveBeenCalledTimes(1);
    drawn = true;
    writeback.changed();
    await clock.advance(1_000);
    expect(write).toHaveBeenCalledTimes(2);
  });

  it('writes nothing after dispose', async () => {
    const clock = manualTimer();
    const write = jest.fn(async () => true);
    const writeback = new PngWriteback({ write, timer: clock.timer });
    writeback.changed();
    writeback.dispose();
    await clock.advance(20_000);
    expect(write).not.toHaveBeenCalled();
  });

  it('reads the base64 body of a PNG data URL', () => {
    expect(pngBase64('data:image/png;base64,iVBOR')).toBe('iVBOR');
    expect(pngBase64('data:image/svg+xml,<svg/>')).toBeNull();
  });
});

class ChartSource implements IInlineChartSource {
  series: Record<string, { x: number[]; y: number[] }> = {};
  trials: string[] = [];
  seriesCalls = 0;

  async getMetricSeries(query: {
    trials?: string[];
    components?: string[];
  }): Promise<IMetricSeriesResponse> {
    this.seriesCalls += 1;
    const names = query.trials ?? query.components ?? [];
    return {
      x: 'step',
      max_points: 1000,
      series: names
        .filter(name => this.series[name])
        .map(name => ({
          trial: query.trials ? name : null,
          component: query.components ? name : null,
          metric: 'loss',
          total_count: this.series[name].x.length,
          downsampled: false,
          ...this.series[name]
        }))
    } as IMetricSeriesResponse;
  }

  async getTrialTable(): Promise<ITrialTableResponse> {
    return {
      experiment_name: 'e1',
      total: this.trials.length,
      offset: 0,
      limit: null,
      sort: null,
      order: 'asc',
      columns: { variables: ['lr'], parameters: [], metrics: ['loss'] },
      trials: this.trials.map((name, i) =>
        trialRow(name, { variables: { lr: i / 10 } })
      )
    };
  }
}

function points(
  trial: string,
  steps: number[],
  experiment = 'e1',
  metric = 'loss'
): LiveEvent {
  return {
    kind: 'metrics',
    component: `${trial}-training`,
    trials: [trial],
    experiments: [experiment],
    series: {
      [metric]: {
        steps: new Float64Array(steps),
        times: new Float64Array(steps.map(step => 1000 + step)),
        values: new Float64Array(steps.map(step => 1 / (step + 1)))
      }
    }
  };
}

function update(...events: LiveEvent[]) {
  return { kernelId: 'k', events, snapshot: null, resync: false };
}

function experimentChart(): IChartPayload {
  return parsePayload(MIME_TYPES.chart, {
    ...CHART,
    scope: 'experiment'
  }) as IChartPayload;
}

describe('InlineChartModel', () => {
  it('loads over REST, then grows from comm points, counting each once', async () => {
    const source = new ChartSource();
    source.trials = ['t1'];
    source.series.t1 = { x: [0, 1], y: [1, 0.5] };
    const chart = new InlineChartModel({ source, payload: experimentChart() });
    await chart.load();
    expect(chart.curves.map(curve => curve.x)).toEqual([[0, 1]]);
    const version = chart.version;

    chart.applyLiveUpdate(update(points('t1', [1, 2, 3])));
    expect(chart.curves[0].x).toEqual([0, 1, 2, 3]);
    expect(chart.version).toBeGreaterThan(version);

    // Other metrics and other experiments are not ours.
    chart.applyLiveUpdate(update(points('t1', [4], 'e1', 'acc')));
    chart.applyLiveUpdate(update(points('t9', [0], 'other')));
    expect(chart.pointCount).toBe(4);
    chart.dispose();
  });

  it("adds trials created after an experiment's chart was displayed", async () => {
    const source = new ChartSource();
    source.trials = ['t1'];
    source.series.t1 = { x: [0], y: [1] };
    const chart = new InlineChartModel({
      source,
      payload: experimentChart(),
      reloadDelay: 0
    });
    await chart.load();
    chart.applyLiveUpdate(update(points('t2', [0, 1])));
    expect(chart.curves.map(curve => curve.id)).toEqual(['t1', 't2']);

    // The reload learns its variables; REST lags, the live points stay.
    source.trials = ['t1', 't2'];
    source.series.t2 = { x: [0], y: [1] };
    await new Promise(resolve => setTimeout(resolve, 5));
    await settle();
    expect(chart.curves.map(curve => curve.label)).toEqual(['lr=0', 'lr=0.1']);
    expect(chart.curves[1].x).toEqual([0, 1]);
    chart.dispose();
  });

  it("does not grow a trial's chart with the experiment's other trials", async () => {
    const source = new ChartSource();
    source.series.t1 = { x: [0], y: [1] };
    const payload = parsePayload(MIME_TYPES.chart, {
      ...CHART,
      scope: 'owners'
    }) as IChartPayload;
    const chart = new InlineChartModel({ source, payload });
    await chart.load();
    chart.applyLiveUpdate(update(points('t2', [0, 1])));
    expect(chart.curves.map(curve => curve.id)).toEqual(['t1']);
    chart.dispose();
  });

  it('draws relative time from each curve’s first point', async () => {
    const source = new ChartSource();
    const chart = new InlineChartModel({
      source,
      payload: {
        ...experimentChart(),
        options: { ...CHART.options, x: 'relative' }
      } as IChartPayload
    });
    await chart.load();
    chart.applyLiveUpdate(update(points('t1', [0, 5])));
    expect(chart.curves[0].x).toEqual([0, 5]);
    chart.dispose();
  });
});
