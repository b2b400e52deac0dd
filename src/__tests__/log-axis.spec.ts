import { brushFromConstraint } from '../components/charts/ParallelChart';
import { logScaleVariables, logTicks, toLog } from '../plot/logAxis';

describe('log-scale axes', () => {
  it('finds the variables declared on a log scale', () => {
    expect(
      logScaleVariables({
        lr: { type: 'range', low: 1e-5, high: 0.1, scale: 'log' },
        momentum: { type: 'range', low: 0, high: 1, scale: 'linear' },
        opt: { type: 'choice', values: ['sgd', 'adam'] }
      })
    ).toEqual(new Set(['lr']));
    expect(logScaleVariables(null).size).toBe(0);
  });

  it('draws values as log10 and labels powers of ten with the values', () => {
    expect(toLog(0.001)).toBeCloseTo(-3);
    expect(toLog(0)).toBeNaN();
    expect(toLog(-1)).toBeNaN();
    const ticks = logTicks([toLog(2e-5), toLog(0.05), NaN]);
    expect(ticks.tickvals).toEqual([-5, -4, -3, -2, -1]);
    expect(ticks.ticktext).toEqual(['1e-5', '1e-4', '0.001', '0.01', '0.1']);
    expect(logTicks([toLog(1), toLog(20000)]).ticktext).toEqual([
      '1',
      '10',
      '100',
      '1000',
      '10000',
      '1e+5'
    ]);
  });

  it('turns a brush on a log axis back into value ranges', () => {
    const brush = brushFromConstraint([-4, -2], null, true);
    expect(brush?.kind).toBe('ranges');
    const [[low, high]] = (brush as { ranges: [number, number][] }).ranges;
    expect(low).toBeCloseTo(1e-4);
    expect(high).toBeCloseTo(0.01);
    expect(brushFromConstraint([-4, -2], null)).toEqual({
      kind: 'ranges',
      ranges: [[-4, -2]]
    });
  });
});
