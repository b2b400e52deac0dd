import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import {
  openExperimentView,
  quickstartCode,
  runInNewNotebook,
  screenshotOf
} from './helpers';

const EXPERIMENT = 'cifar10-custom-vs-resnet50';
const VIEW = '.tb-ExperimentView';

/** The quickstart's code cells up to the one adding seeds (all 12 trials), as one cell. */
function quickstartSource(): string {
  const code: string[] = [];
  for (const source of quickstartCode()) {
    code.push(source);
    if (source.includes('exp.grid()') && !source.includes('def ')) {
      break; // the cell running the seeds the first run left out
    }
  }
  return code.join('\n\n');
}

/** Names of the metric chart's traces with a given role (trial, mean, band). */
async function traceNames(
  page: IJupyterLabPageFixture,
  role: string
): Promise<string[]> {
  return page.evaluate(r => {
    const plot = document.querySelector('.tb-MetricChart .js-plotly-plot') as
      | (HTMLElement & { data?: { name: string; meta?: { role?: string } }[] })
      | null;
    return (plot?.data ?? [])
      .filter(trace => trace.meta?.role === r)
      .map(trace => trace.name);
  }, role);
}

test.describe('Compare trials', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('group curves, brush parallel coordinates, compare two trials', async ({
    page
  }, testInfo) => {
    // WebGL must work, or scattergl and parcoords would silently draw nothing.
    const webgl = await page.evaluate(
      () => document.createElement('canvas').getContext('webgl') !== null
    );
    expect(webgl).toBe(true);

    // Galata mocks `/api/me` with an unanchored pattern that also catches
    // `/trialbook/api/metrics`: send those to the server.
    await page.route(/\/trialbook\/api\/metrics/, route => route.continue());
    await runInNewNotebook(page, quickstartSource());

    await openExperimentView(page, EXPERIMENT);
    const view = page.locator(VIEW);
    await expect(view).toBeVisible();
    await expect(view.locator('.tb-ExperimentViewHeader-name')).toHaveText(
      EXPERIMENT
    );
    await expect(
      view.locator('.tb-ExperimentViewHeader-hypothesis')
    ).toContainText('ResNet50');
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '12 of 12 trials'
    );
    // Virtualized: only the rows on screen (plus overscan) are in the DOM.
    const rowsInDom = await view.locator('.tb-TrialTable-row').count();
    expect(rowsInDom).toBeGreaterThan(3);
    expect(rowsInDom).toBeLessThanOrEqual(12);

    // Sort by the objective, descending: the best trial comes first.
    const objectiveHeader = view.locator(
      '.tb-TrialTable-header[data-column="objective_value"]'
    );
    await objectiveHeader.click();
    await objectiveHeader.click();
    await expect(objectiveHeader).toHaveAttribute('aria-sort', 'descending');

    // Curves of the first visible trials are drawn: within the chart's point
    // budget as SVG lines (faster than software WebGL here), one per trial.
    await expect.poll(() => traceNames(page, 'trial')).toHaveLength(12);
    await expect(
      view.locator('.tb-MetricChart .scatterlayer path.js-line')
    ).toHaveCount(12);

    // Group by model: two groups, each a mean line with a min–max band.
    await view.locator('.tb-CurveOptions-groupBy').selectOption('model');
    await expect
      .poll(() => traceNames(page, 'mean'))
      .toEqual(['model=custom (mean of 6)', 'model=resnet50 (mean of 6)']);
    await expect
      .poll(async () => (await traceNames(page, 'band')).length)
      .toBe(2);
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'experiment-view-grouped-light'
    );

    // Parallel coordinates: brush the objective axis; the table is filtered.
    await view.locator('.tb-ChartsPanel-tab[data-tab="parallel"]').click();
    const parcoords = view.locator('.tb-ParallelChart .js-plotly-plot');
    await expect(parcoords.locator('.y-axis').first()).toBeAttached();
    const axes = parcoords.locator('.y-axis');
    const axisCount = await axes.count();
    expect(axisCount).toBe(4); // model, lr, seed → objective
    const lastAxis = parcoords.locator('.axis-brush').nth(axisCount - 1);
    const box = (await lastAxis.boundingBox())!;
    const constraints = () =>
      page.evaluate(() => {
        const plot = document.querySelector(
          '.tb-ParallelChart .js-plotly-plot'
        ) as HTMLElement & {
          data?: { dimensions: { constraintrange?: unknown }[] }[];
        };
        return JSON.stringify(
          plot.data?.[0].dimensions.map(d => d.constraintrange ?? null)
        );
      });
    // Drag down the upper part of the objective axis: the best trials.
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(x, box.y + box.height * 0.4, { steps: 10 });
    await page.mouse.up();
    await expect
      .poll(constraints)
      .toMatch(/^\[null,null,null,\[[-\d.e]+,[-\d.e]+\]\]$/);
    await expect
      .poll(async () => view.locator('.tb-TableToolbar-count').textContent())
      .toMatch(/^([1-9]|1[01]) of 12 trials/);
    const filtered = await view.locator('.tb-TableToolbar-count').textContent();
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'experiment-view-parcoords-light'
    );
    testInfo.annotations.push({ type: 'brushed', description: filtered ?? '' });

    await view.getByRole('button', { name: 'Clear filters' }).click();
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '12 of 12 trials'
    );

    // Select two trials (click, ctrl-click) and compare them.
    await view.locator('.tb-ChartsPanel-tab[data-tab="curves"]').click();
    await view.locator('.tb-CurveOptions-groupBy').selectOption('');
    const rows = view.locator('.tb-TrialTable-row');
    const first = await rows.nth(0).getAttribute('data-trial');
    const second = await rows.nth(1).getAttribute('data-trial');
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await expect(
      view.locator('.tb-TrialTable-row.tb-mod-selected')
    ).toHaveCount(2);
    await expect
      .poll(async () => (await traceNames(page, 'trial')).sort())
      .toEqual([first, second].sort());
    await view.locator('.tb-TableToolbar-compare').click();
    const compare = view.locator('.tb-TrialCompare');
    await expect(compare).toBeVisible();
    await expect(compare.locator('thead th')).toHaveCount(3);
    // The two trials differ in at least one variable.
    await expect(compare.locator('tr.tb-mod-differs').first()).toBeVisible();
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'experiment-view-compare-light'
    );

    // Trial detail: double-click opens it, with the shared component marked.
    await rows.nth(0).dblclick();
    const detail = view.locator('.tb-TrialDetail');
    await expect(detail.locator('.tb-TrialDetail-title')).toHaveText(first!);
    await expect(detail.locator('.tb-TrialDetail-shared')).toHaveCount(1);

    await page.theme.setDarkTheme();
    await view.locator('.tb-TrialDetail-close').click();
    await view.locator('.tb-CurveOptions-groupBy').selectOption('model');
    await expect.poll(() => traceNames(page, 'mean')).toHaveLength(2);
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'experiment-view-grouped-dark'
    );
    await view.locator('.tb-ChartsPanel-tab[data-tab="parallel"]').click();
    await expect(parcoords.locator('.y-axis').first()).toBeAttached();
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'experiment-view-parcoords-dark'
    );
    await page.theme.setLightTheme();
  });
});
