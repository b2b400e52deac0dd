import { IMetricSeriesResponse, ITrialRow } from '../api/types';
import { IMetricSeriesSource, MetricCurvesModel } from '../models/metricCurves';
import { defaultMetric, groupMetrics } from '../models/metrics';

type Query = Parameters<IMetricSeriesSource['getMetricSeries']>[0];

/** Serves `loss = 1 / (1 + step)` for steps 0..999, downsampled like the API. */
class SeriesSource implements IMetricSeriesSource {
  queries: Query[] = [];
  async getMetricSeries(query: Query): Promise<IMetricSeriesResponse> {
    this.queries.push(query);
    const low = Math.max(0, Math.ceil(query.xMin ?? 0));
    const high = Math.min(999, Math.floor(query.xMax ?? 999));
    const steps: number[] = [];
    for (let step = low; step <= high; step++) {
      steps.push(step);
    }
    const max = query.maxPoints ?? 1000;
    const stride = Math.max(1, Math.ceil(steps.length / max));
    const x = steps.filter((_, i) => i % stride === 0);
    return {
      x: 'step',
      max_points: max,
      series: (query.trials ?? []).map(trial => ({
        trial,
        component: null,
        metric: 'loss',
        total_count: 1000,
        window_count: steps.length,
        downsampled: stride > 1,
        x,
        y: x.map(step => 1 / (1 + step))
      }))
    } as unknown as IMetricSeriesResponse;
  }
}

function rows(...names: string[]): ITrialRow[] {
  return names.map(name => ({ name, variables: {} }) as unknown as ITrialRow);
}

async function loaded(
  plotWidth = 100
): Promise<{ model: MetricCurvesModel; source: SeriesSource }> {
  const source = new SeriesSource();
  const model = new MetricCurvesModel(source, { zoomDelay: 200 });
  model.update({ metric: 'loss' });
  model.setTrials(rows('a', 'b'), plotWidth);
  await model.reload();
  source.queries = [];
  return { model, source };
}

describe('MetricCurvesModel zoom', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fetches the overview downsampled', async () => {
    const { model } = await loaded();
    expect(model.curves).toHaveLength(2);
    expect(model.curves[0].downsampled).toBe(true);
    expect(model.curves[0].x.length).toBeLessThanOrEqual(200);
    expect(model.fetchedRange).toBeNull();
  });

  it('refetches the visible window at full detail once the zoom settles', async () => {
    const { model, source } = await loaded();
    model.setXRange([100, 300]);
    model.setXRange([100, 200]);
    await jest.advanceTimersByTimeAsync(199);
    expect(source.queries).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(source.queries).toHaveLength(1);
    expect(source.queries[0]).toMatchObject({ xMin: 95, xMax: 205 });
    const x = model.curves[0].x;
    expect(x[0]).toBe(95);
    expect(x[x.length - 1]).toBe(205);
    expect(x).toHaveLength(111); // every step: full detail
    expect(model.curves[0].downsampled).toBe(false);
    expect(model.xRange).toEqual([100, 200]);
  });

  it('keeps the zoom across live refreshes', async () => {
    const { model, source } = await loaded();
    model.setXRange([100, 200]);
    await jest.advanceTimersByTimeAsync(200);
    await model.reload();
    expect(source.queries[1]).toMatchObject({ xMin: 95, xMax: 205 });
    expect(model.xRange).toEqual([100, 200]);
    expect(model.curves[0].x[0]).toBe(95);
  });

  it('does not refetch inside a window already at full detail', async () => {
    const { model, source } = await loaded();
    model.setXRange([100, 200]);
    await jest.advanceTimersByTimeAsync(200);
    model.setXRange([120, 180]);
    await jest.advanceTimersByTimeAsync(500);
    expect(source.queries).toHaveLength(1);
    expect(model.xRange).toEqual([120, 180]);
  });

  it('refetches the overview on reset (double-click)', async () => {
    const { model, source } = await loaded();
    model.setXRange([100, 200]);
    await jest.advanceTimersByTimeAsync(200);
    model.setXRange(null);
    await jest.advanceTimersByTimeAsync(200);
    expect(source.queries).toHaveLength(2);
    expect(source.queries[1].xMin).toBeUndefined();
    expect(source.queries[1].xMax).toBeUndefined();
    expect(model.fetchedRange).toBeNull();
    expect(model.curves[0].downsampled).toBe(true);
  });

  it('zooms relative time on the overview only', async () => {
    const { model, source } = await loaded();
    model.update({ xAxis: 'relative' });
    await jest.advanceTimersByTimeAsync(0);
    source.queries = [];
    model.setXRange([10, 20]);
    await jest.advanceTimersByTimeAsync(500);
    expect(source.queries).toHaveLength(0);
  });

  it('drops a pending window fetch on dispose', async () => {
    const { model, source } = await loaded();
    model.setXRange([100, 200]);
    model.dispose();
    await jest.advanceTimersByTimeAsync(500);
    expect(source.queries).toHaveLength(0);
  });
});

describe('system metrics in the metric chooser', () => {
  const names = ['system.cpu_percent', 'loss', 'Eval/system.gpu_memory', 'acc'];

  it('groups system.* metrics apart from the training ones', () => {
    expect(groupMetrics(names)).toEqual({
      training: ['loss', 'acc'],
      system: ['system.cpu_percent', 'Eval/system.gpu_memory']
    });
  });

  it('never picks a system metric first while a training metric exists', () => {
    expect(defaultMetric(names, null)).toBe('loss');
    expect(defaultMetric(names, 'acc')).toBe('acc');
    expect(defaultMetric(names, 'missing')).toBe('loss');
    expect(defaultMetric(['system.cpu_percent'], null)).toBe(
      'system.cpu_percent'
    );
    expect(defaultMetric([], null)).toBeNull();
  });
});
