import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

import { evaluationQuery } from '../api/client';
import {
  ICoverageResponse,
  IEvaluationResponse,
  IExperimentDetail,
  ITrialGroupsResponse,
  ITrialRow
} from '../api/types';
import { coverageLayout } from '../components/hypothesis/CoverageGrid';
import { buildDistributionTraces } from '../components/hypothesis/GroupDistributionChart';
import { HypothesisCard } from '../components/hypothesis/HypothesisCard';
import { buildMetricTraces } from '../components/charts/MetricChart';
import { IEvaluationPayload, MIME_TYPES, parsePayload } from '../mime/payload';
import { ExperimentStatsModel } from '../models/experimentStats';
import { ExperimentViewModel } from '../models/experimentView';
import { FetchedValue } from '../models/fetched';
import { buildColumns } from '../models/trialColumns';
import {
  groupCellText,
  groupsCSV,
  TrialGroupsModel
} from '../models/trialGroups';
import {
  formatEffect,
  formatMeanSpread,
  formatWithError,
  formatPValue,
  moreTrialsPerGroup,
  pythonLiteral,
  runLine,
  verdictClass
} from '../models/verdict';
import { groupCurves, tCritical95 } from '../plot/curves';
import { readPlotTheme } from '../plot/theme';
import { settle, trialRow } from './fakes';

/** JupyterLab's null translation: `%1`… replaced by the arguments. */
function format(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (_, i: string) => String(args[Number(i) - 1]));
}
const trans = {
  __: (text: string, ...args: unknown[]) => format(text, args),
  _n: (one: string, many: string, n: number, ...args: unknown[]) =>
    format(n === 1 ? one : many, [n, ...args])
} as unknown as TranslationBundle;

function evaluation(
  extra: Partial<IEvaluationResponse> = {}
): IEvaluationResponse {
  return {
    claim: {
      metric: 'val_accuracy',
      goal: 'maximize',
      summary: 'best',
      variable: 'model',
      treatment: 'custom',
      control: 'resnet50',
      min_effect: 0.01,
      alpha: 0.05
    },
    text: 'custom beats resnet50 on val_accuracy (best, maximize) by at least 0.01',
    verdict: 'inconclusive',
    message: null,
    effect: 0.034,
    ci: [-0.012, 0.08],
    p_value: 0.12,
    effect_size: 1.1,
    prob_improvement: 0.75,
    n_treatment: 2,
    n_control: 2,
    paired: true,
    trials_needed: 5,
    alpha: 0.05,
    min_effect: 0.01,
    correction: null,
    comparisons: [],
    groups: [
      {
        value: 'resnet50',
        n: 2,
        mean: 0.88,
        std: 0.01,
        ci: [0.79, 0.97],
        values: [0.87, 0.89],
        trials: ['t-r0', 't-r1']
      },
      {
        value: 'custom',
        n: 2,
        mean: 0.914,
        std: 0.01,
        ci: [0.824, 1.004],
        values: [0.904, 'NaN'],
        trials: ['t-c0', 't-c1']
      }
    ],
    excluded: { Failed: 1, InProgress: 0 },
    ...extra
  };
}

function row(
  name: string,
  variables: Record<string, string | number>,
  status: ITrialRow['status'] = 'Completed'
): ITrialRow {
  return trialRow(name, { variables, status });
}

describe('verdict formatting', () => {
  it('states the effect with its interval, signed', () => {
    expect(formatEffect(evaluation())).toBe('+0.034 [−0.012, +0.08]');
    expect(formatEffect(evaluation({ effect: null }))).toBe('');
    expect(formatEffect(evaluation({ effect: -0.5, ci: null }))).toBe('−0.5');
    expect(formatPValue(0.000001)).toBe('< 0.0001');
    expect(formatPValue('NaN')).toBe('–');
  });

  it('says how many more trials per group would settle an inconclusive verdict', () => {
    expect(moreTrialsPerGroup(evaluation())).toBe(3);
    expect(
      moreTrialsPerGroup(evaluation({ n_treatment: 4, n_control: 2 }))
    ).toBe(3);
    expect(
      moreTrialsPerGroup(evaluation({ n_treatment: 6, n_control: 6 }))
    ).toBeNull();
    expect(moreTrialsPerGroup(evaluation({ verdict: 'supported' }))).toBeNull();
    expect(moreTrialsPerGroup(evaluation({ trials_needed: null }))).toBeNull();
  });

  it('gives each verdict a class name the style sheet accepts', () => {
    expect(verdictClass('not supported')).toBe('notSupported');
    expect(verdictClass('supported')).toBe('supported');
  });

  it('writes variable sets as Python the user can paste', () => {
    expect(runLine({ model: 'custom', lr: 0.1, seed: 2, aug: true })).toBe(
      "exp.run(variables={'model': 'custom', 'lr': 0.1, 'seed': 2, 'aug': True})"
    );
    expect(pythonLiteral("it's\\")).toBe("'it\\'s\\\\'");
    expect(pythonLiteral('NaN')).toBe("float('nan')");
    expect(pythonLiteral(null)).toBe('None');
  });

  it('shows a group mean with ± CI half-width or ± sd', () => {
    const stat = { mean: 0.9, lo: 0.88, hi: 0.92, sd: 0.015, n: 3 };
    expect(formatMeanSpread(stat, 'ci')).toBe('0.900 ± 0.020');
    expect(formatMeanSpread(stat, 'sd')).toBe('0.900 ± 0.015');
    expect(formatMeanSpread({ ...stat, lo: 'NaN', hi: 'NaN' }, 'ci')).toBe(
      '0.9'
    );
    expect(formatMeanSpread({ ...stat, mean: null }, 'ci')).toBe('');
    expect(formatWithError(1234.5, 56)).toBe('1235 ± 56');
    expect(formatWithError(123456, 5600)).toBe('1.23e+5 ± 5.6e+3');
  });

  it('sends overrides as query parameters, several controls repeated', () => {
    expect(
      evaluationQuery({
        treatment: 'custom',
        control: ['a', 'b'],
        min_effect: 0.01
      })
    ).toEqual({ treatment: 'custom', control: ['a', 'b'], min_effect: '0.01' });
  });
});

describe('HypothesisCard', () => {
  const theme = readPlotTheme();

  it('shows the claim, the verdict, the effect and the hint as text', () => {
    const html = renderToStaticMarkup(
      React.createElement(HypothesisCard, {
        evaluation: evaluation({ text: '<b>custom</b> beats resnet50' }),
        theme,
        trans,
        showPlot: false
      })
    );
    expect(html).toContain('data-verdict="inconclusive"');
    expect(html).toContain('&lt;b&gt;custom&lt;/b&gt; beats resnet50');
    expect(html).toContain('+0.034 [−0.012, +0.08]');
    expect(html).toContain('About 3 more trials per group would settle it.');
    expect(html).toContain('Not counted: 1 Failed');
    expect(html).not.toContain('InProgress');
  });

  it('lists every comparison when Holm corrects several', () => {
    const comparison = {
      treatment: 'custom',
      control: 'a',
      verdict: 'supported' as const,
      message: null,
      effect: 0.05,
      ci: [0.01, 0.09] as [number, number],
      p_value: 0.01,
      effect_size: 2,
      prob_improvement: 1,
      n_treatment: 6,
      n_control: 6,
      paired: false,
      trials_needed: null
    };
    const html = renderToStaticMarkup(
      React.createElement(HypothesisCard, {
        evaluation: evaluation({
          verdict: 'supported',
          correction: 'holm',
          comparisons: [comparison, { ...comparison, control: 'b' }]
        }),
        theme,
        trans,
        showPlot: false
      })
    );
    expect(html).toContain('Holm-corrected over 2 comparisons');
    expect(html).toContain('custom vs b');
    expect(html).not.toContain('would settle it');
  });

  it('plots points and a mean with its CI per group, the treatment first', () => {
    const traces = buildDistributionTraces(evaluation(), theme);
    expect(traces.map(t => (t.meta as { role: string }).role)).toEqual([
      'points',
      'mean',
      'points',
      'mean'
    ]);
    expect((traces[0].meta as { group: string }).group).toBe('custom');
    expect(traces[0].y).toEqual([0.904, NaN]);
    const errors = traces[1].error_y as {
      array: number[];
      arrayminus: number[];
    };
    expect(errors.array[0]).toBeCloseTo(0.09);
    expect(errors.arrayminus[0]).toBeCloseTo(0.09);
  });

  it('plots the first claim only when several claims were evaluated', () => {
    const base = evaluation();
    const several = {
      ...base,
      groups: [
        ...base.groups.map(group => ({ ...group, metric: 'val_accuracy' })),
        { ...base.groups[0], metric: 'loss' }
      ]
    };
    const traces = buildDistributionTraces(several, theme);
    expect(traces).toHaveLength(4);
  });
});

describe('parsePayload (evaluation)', () => {
  it('reads the bundle exp.evaluate() displays', () => {
    const payload = parsePayload(MIME_TYPES.evaluation, {
      version: 1,
      kind: 'evaluation',
      experiment: 'e1',
      overrides: { min_effect: 0.02 },
      evaluation: evaluation()
    }) as IEvaluationPayload;
    expect(payload.kind).toBe('evaluation');
    expect(payload.experiment).toBe('e1');
    expect(payload.overrides).toEqual({ min_effect: 0.02 });
    expect(payload.evaluation.verdict).toBe('inconclusive');
    expect(payload.evaluation.groups).toHaveLength(2);
  });

  it('drops what it cannot trust and refuses what is not an evaluation', () => {
    const payload = parsePayload(MIME_TYPES.evaluation, {
      evaluation: {
        ...evaluation(),
        verdict: 'proven',
        groups: 'x',
        excluded: { Failed: -1 }
      }
    }) as IEvaluationPayload;
    expect(payload.experiment).toBeNull();
    expect(payload.evaluation.verdict).toBeNull();
    expect(payload.evaluation.groups).toEqual([]);
    expect(payload.evaluation.excluded).toEqual({});
    expect(parsePayload(MIME_TYPES.evaluation, { evaluation: 3 })).toEqual({
      error: 'malformed evaluation output'
    });
  });
});

const GROUPS: ITrialGroupsResponse = {
  by: ['model'],
  spread: 'ci',
  groups: [
    {
      key: { model: 'resnet50' },
      n: 2,
      trials: ['r0', 'r1'],
      metrics: { 'loss - Min': { mean: 0.5, lo: 0.4, hi: 0.6, sd: 0.05, n: 2 } }
    },
    {
      key: { model: 'custom' },
      n: 2,
      trials: ['c0', 'c1'],
      metrics: { 'loss - Min': { mean: 0.3, lo: 0.2, hi: 0.4, sd: 0.05, n: 2 } }
    }
  ]
};

describe('TrialGroupsModel', () => {
  const rows = [
    row('r0', { model: 'resnet50', seed: 0 }),
    row('c0', { model: 'custom', seed: 0 }),
    row('r1', { model: 'resnet50', seed: 1 }),
    row('c1', { model: 'custom', seed: 1 }),
    row('lone', { model: 'other', seed: 0 })
  ];

  function model(): { groups: TrialGroupsModel; asked: unknown[] } {
    const asked: unknown[] = [];
    const groups = new TrialGroupsModel({
      name: 'e1',
      source: {
        getTrialGroups: async (name, query) => {
          asked.push([name, query]);
          return GROUPS;
        }
      }
    });
    return { groups, asked };
  }

  it('averages over seed by default and fetches once enabled', async () => {
    const { groups, asked } = model();
    groups.setVariables(['model', 'seed']);
    expect(groups.averagedOver).toEqual(['seed']);
    await groups.refresh();
    expect(asked).toEqual([]); // not while disabled
    groups.setEnabled(true);
    await settle();
    expect(asked).toEqual([['e1', { except: ['seed'], spread: 'ci' }]]);
    groups.toggleAveraged('model');
    await settle();
    expect(asked[1]).toEqual([
      'e1',
      { except: ['seed', 'model'], spread: 'ci' }
    ]);
    // A user's choice survives the variables arriving again.
    groups.setVariables(['model', 'seed']);
    expect(groups.averagedOver).toEqual(['seed', 'model']);
  });

  it('lists groups in table order, expands them, and keeps ungrouped trials', async () => {
    const { groups } = model();
    groups.setResponse(GROUPS);
    let out = groups.rows(rows);
    expect(out.map(item => item.id)).toEqual([
      'group:{"model":"resnet50"}',
      'group:{"model":"custom"}',
      'lone'
    ]);
    groups.toggleExpanded('group:{"model":"custom"}');
    out = groups.rows(rows);
    expect(out.map(item => item.id)).toEqual([
      'group:{"model":"resnet50"}',
      'group:{"model":"custom"}',
      'c0',
      'c1',
      'lone'
    ]);
    // Filtered: only groups with a visible trial, and only those trials.
    out = groups.rows([rows[1]]);
    expect(out.map(item => item.id)).toEqual([
      'group:{"model":"custom"}',
      'c0'
    ]);
  });

  it('sorts groups by their mean of the sorted metric column', () => {
    const { groups } = model();
    groups.setResponse(GROUPS);
    const columns = buildColumns({
      variables: ['model', 'seed'],
      parameters: [],
      metrics: ['loss']
    });
    const lossMin = columns.find(c => c.id === 'metrics.loss.min')!;
    const ascending = groups.rows(rows, { column: lossMin, descending: false });
    expect(ascending[0].id).toBe('group:{"model":"custom"}');
    const descending = groups.rows(rows, { column: lossMin, descending: true });
    expect(descending[0].id).toBe('group:{"model":"resnet50"}');
    // The cells a group row shows.
    const group = GROUPS.groups[1];
    const members = [rows[1], rows[3]];
    const seed = columns.find(c => c.id === 'variables.seed')!;
    const model_ = columns.find(c => c.id === 'variables.model')!;
    const name = columns.find(c => c.id === 'name')!;
    const lossMax = columns.find(c => c.id === 'metrics.loss.max')!;
    expect(groupCellText(group, members, name, 'ci')).toBe('model=custom');
    expect(groupCellText(group, members, model_, 'ci')).toBe('custom');
    expect(groupCellText(group, members, seed, 'ci')).toBe('0, 1');
    expect(groupCellText(group, members, lossMin, 'ci')).toBe('0.30 ± 0.10');
    expect(groupCellText(group, members, lossMin, 'sd')).toBe('0.300 ± 0.050');
    expect(groupCellText(group, members, lossMax, 'ci')).toBe('');
    const objective = columns.find(c => c.id === 'objective_value')!;
    expect(groupCellText(group, members, objective, 'ci')).toBe('');
    const withObjective = {
      ...group,
      metrics: {
        ...group.metrics,
        ObjectiveValue: { mean: 0.91, lo: 0.9, hi: 0.92, sd: 0.004, n: 2 }
      }
    };
    expect(groupCellText(withObjective, members, objective, 'ci')).toBe(
      '0.910 ± 0.010'
    );
  });
});

describe('groupsCSV', () => {
  it('exports one line per group with mean and spread ends, and lone trials', () => {
    const groups = new TrialGroupsModel({
      name: 'e1',
      source: { getTrialGroups: async () => GROUPS }
    });
    groups.setResponse(GROUPS);
    groups.toggleExpanded('group:{"model":"custom"}'); // its trials: not lines
    const columns = buildColumns({
      variables: ['model', 'seed'],
      parameters: [],
      metrics: ['loss']
    }).filter(
      c =>
        ['name', 'status', 'variables.model', 'variables.seed'].includes(
          c.id
        ) || c.id === 'metrics.loss.min'
    );
    const rows = [
      row('r0', { model: 'resnet50', seed: 0 }),
      row('c0', { model: 'custom', seed: 0 }),
      row('r1', { model: 'resnet50', seed: 1 }),
      row('c1', { model: 'custom', seed: 1 }),
      row('lone', { model: 'other', seed: 0 })
    ];
    const lines = groupsCSV(columns, groups.rows(rows), 'ci').split('\r\n');
    expect(lines).toEqual([
      'Group,n,model,seed,loss (min) mean,loss (min) 95% CI low,loss (min) 95% CI high',
      'model=resnet50,2,resnet50,"0, 1",0.5,0.4,0.6',
      'model=custom,2,custom,"0, 1",0.3,0.2,0.4',
      'lone,1,other,0,,,',
      ''
    ]);
    expect(groupsCSV(columns, [], 'sd').split('\r\n')[0]).toContain(
      'loss (min) mean − sd,loss (min) mean + sd'
    );
  });
});

describe('ExperimentStatsModel', () => {
  it('refetches the verdict and coverage when a status changes, not on new points', async () => {
    const calls: string[] = [];
    let trials = [
      row('t1', { model: 'custom' }, 'InProgress'),
      row('t2', { model: 'resnet50' })
    ];
    const detail = {
      name: 'e1',
      objective: {
        metric: 'loss',
        goal: 'minimize',
        summary: 'best',
        variable: 'model',
        treatment: 'custom'
      },
      variables: { model: ['custom', 'resnet50'] }
    } as unknown as IExperimentDetail;
    const view = new ExperimentViewModel({
      name: 'e1',
      source: {
        // The server keeps the tallies by status at write time.
        getExperiment: async () => ({
          ...detail,
          trial_count: trials.length,
          status_counts: Object.fromEntries(
            ['InProgress', 'Completed'].map(status => [
              status,
              trials.filter(trial => trial.status === status).length
            ])
          ) as IExperimentDetail['status_counts']
        }),
        getTrialTable: async () => ({
          columns: { variables: ['model'], parameters: [], metrics: [] },
          trials
        })
      }
    });
    const stats = new ExperimentStatsModel({
      name: 'e1',
      source: {
        getEvaluation: async () => {
          calls.push('evaluation');
          return evaluation();
        },
        getCoverage: async () => {
          calls.push('coverage');
          return {
            variables: [],
            total: 0,
            missing: 0,
            message: null,
            sets: []
          };
        },
        getTrialGroups: async () => {
          calls.push('groups');
          return GROUPS;
        }
      }
    });
    stats.follow(view);
    await view.refresh();
    await settle();
    expect(calls.sort()).toEqual(['coverage', 'evaluation']);
    expect(stats.evaluation.value?.verdict).toBe('inconclusive');

    // New points only: nothing to refetch (groups are off).
    calls.length = 0;
    trials = [
      { ...trials[0], last_activity: '2026-12-01T00:00:00Z' },
      trials[1]
    ];
    await view.refresh();
    await settle();
    expect(calls).toEqual([]);

    // The running trial completes: the verdict may have moved.
    trials = [{ ...trials[0], status: 'Completed' }, trials[1]];
    await view.refresh();
    await settle();
    expect(calls.sort()).toEqual(['coverage', 'evaluation']);

    // Grouping on: the groups follow every data change.
    calls.length = 0;
    stats.groups.setEnabled(true);
    await settle();
    expect(calls).toEqual(['groups']);
    stats.dispose();
    view.dispose();
  });
});

describe('ExperimentStatsModel without a claim', () => {
  it('loads the coverage but never the evaluation', async () => {
    const calls: string[] = [];
    const view = new ExperimentViewModel({
      name: 'e1',
      source: {
        getExperiment: async () =>
          ({
            name: 'e1',
            objective: { metric: 'loss', goal: 'minimize', summary: 'best' },
            variables: { model: ['a', 'b'] }
          }) as unknown as IExperimentDetail,
        getTrialTable: async () => ({
          columns: { variables: ['model'], parameters: [], metrics: [] },
          trials: [row('t1', { model: 'a' })]
        })
      }
    });
    const stats = new ExperimentStatsModel({
      name: 'e1',
      source: {
        getEvaluation: async () => {
          calls.push('evaluation');
          return evaluation();
        },
        getCoverage: async () => {
          calls.push('coverage');
          return {
            variables: [],
            total: 0,
            missing: 0,
            message: null,
            sets: []
          };
        },
        getTrialGroups: async () => GROUPS
      }
    });
    stats.follow(view);
    await view.refresh();
    await settle();
    expect(calls).toEqual(['coverage']);
    expect(stats.evaluation.value).toBeNull();
    stats.dispose();
    view.dispose();
  });
});

describe('FetchedValue', () => {
  it('shares one request between concurrent refreshes and keeps the last value on error', async () => {
    let calls = 0;
    let fail = false;
    const value = new FetchedValue(async () => {
      calls++;
      if (fail) {
        throw new Error('server down');
      }
      return calls;
    });
    const first = value.refresh();
    void value.refresh();
    void value.refresh();
    await first;
    await settle();
    expect(calls).toBe(2); // one now, one for the calls made meanwhile
    expect(value.value).toBe(2);
    fail = true;
    await value.refresh();
    expect(value.value).toBe(2);
    expect(value.error).toBe('server down');
  });
});

describe('coverageLayout', () => {
  it('puts the last variable in columns and the others in rows', () => {
    const coverage: ICoverageResponse = {
      variables: ['model', 'seed'],
      total: 4,
      missing: 2,
      message: null,
      sets: [
        { variables: { model: 'a', seed: 0 }, status: 'Completed', trial: 't' },
        { variables: { model: 'a', seed: 1 }, status: 'missing', trial: null },
        { variables: { model: 'b', seed: 0 }, status: 'Failed', trial: 'u' },
        { variables: { model: 'b', seed: 1 }, status: 'missing', trial: null }
      ]
    };
    const layout = coverageLayout(coverage);
    expect(layout.lastVariable).toBe('seed');
    expect(layout.columns).toEqual([0, 1]);
    expect(layout.rows.map(r => r.label)).toEqual(['model=a', 'model=b']);
    expect(layout.rows[1].cells.get('0')?.status).toBe('Failed');
  });
});

describe('grouped curves with a CI band', () => {
  it('uses Student t quantiles', () => {
    expect(tCritical95(1)).toBeCloseTo(12.706, 3);
    expect(tCritical95(10)).toBeCloseTo(2.228, 3);
    expect(tCritical95(60)).toBeCloseTo(2.0003, 3);
    expect(tCritical95(1000)).toBeCloseTo(1.9623, 3);
  });

  it('computes the 95% CI of the mean at each x', () => {
    const [group] = groupCurves([
      { id: 'a', label: 'a', x: [0, 1], y: [1, 2], group: 'g' },
      { id: 'b', label: 'b', x: [0, 1], y: [3, 2], group: 'g' },
      { id: 'c', label: 'c', x: [0, 1], y: [5, 2], group: 'g' }
    ]);
    expect(group.mean).toEqual([3, 2]);
    // sd 2, n 3: half-width t(2) · 2 / √3
    const half = (4.3027 * 2) / Math.sqrt(3);
    expect(group.ciLow[0]).toBeCloseTo(3 - half, 4);
    expect(group.ciHigh[0]).toBeCloseTo(3 + half, 4);
    expect(group.ciLow[1]).toBeCloseTo(2, 10);
    expect(group.ciHigh[1]).toBeCloseTo(2, 10);
  });

  it('draws the CI band only when asked', () => {
    const props = {
      curves: [
        { id: 'a', label: 'a', x: [0, 1], y: [1, 2], group: 'g' },
        { id: 'b', label: 'b', x: [0, 1], y: [3, 2], group: 'g' }
      ],
      metric: 'loss',
      xAxis: 'step' as const,
      smoothing: 0,
      logY: false,
      groupBy: 'model',
      theme: readPlotTheme()
    };
    const roles = (ciBand: boolean) =>
      buildMetricTraces({ ...props, ciBand }).map(
        t => (t.meta as { role: string }).role
      );
    expect(roles(false)).toEqual(['band', 'mean']);
    expect(roles(true)).toEqual(['band', 'ci', 'mean']);
    // Two groups: every band under every mean line.
    const two = buildMetricTraces({
      ...props,
      ciBand: true,
      curves: [
        ...props.curves,
        { id: 'c', label: 'c', x: [0], y: [1], group: 'h' }
      ]
    }).map(t => (t.meta as { role: string }).role);
    expect(two).toEqual(['band', 'ci', 'band', 'ci', 'mean', 'mean']);
  });

  it('draws a one-point series as a marker (a line needs two points)', () => {
    const modes = buildMetricTraces({
      curves: [
        { id: 'a', label: 'a', x: [0], y: [0.9] },
        { id: 'b', label: 'b', x: [0, 1], y: [0.5, 0.8] }
      ],
      metric: 'score',
      xAxis: 'step',
      smoothing: 0,
      logY: false,
      groupBy: null,
      theme: readPlotTheme()
    }).map(t => [(t.meta as { id: string }).id, t.mode]);
    expect(modes).toEqual([
      ['a', 'lines+markers'],
      ['b', 'lines']
    ]);
  });
});
