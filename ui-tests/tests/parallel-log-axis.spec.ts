import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { openExperimentView, runInNewNotebook, screenshotOf } from './helpers';

const EXPERIMENT = 'log-axis-sweep';
const VIEW = '.tb-ExperimentView';

/** A learning rate declared on a log scale, swept over five decades. */
const SOURCE = `
import math
import trialbook
from trialbook import Choice, Range

exp = trialbook.Experiment.create(
    "${EXPERIMENT}",
    hypothesis="A learning rate near 1e-3 gives the lowest loss",
    objective={"metric": "loss", "goal": "minimize", "summary": "last"},
    variables={"lr": Range(1e-5, 1e-1, scale="log", num=5), "width": Choice([64, 128])},
    exist_ok=True,
)
for variables in exp.grid():
    with exp.run(variables=variables) as tracker:
        tracker.log_metric("loss", abs(math.log10(variables["lr"]) + 3) + 64 / variables["width"])
print("done")
`;

/** The tick labels and constraint range of the parallel chart's lr axis. */
function lrAxis(page: IJupyterLabPageFixture) {
  return page.evaluate(() => {
    const plot = document.querySelector(
      '.tb-ParallelChart .js-plotly-plot'
    ) as HTMLElement & {
      data?: {
        dimensions: {
          label: string;
          values: number[];
          ticktext?: string[];
          constraintrange?: number[];
        }[];
      }[];
    };
    const axis = plot?.data?.[0].dimensions.find(d => d.label === 'lr');
    return axis
      ? {
          ticktext: axis.ticktext ?? [],
          values: [...axis.values].sort((a, b) => a - b),
          constraint: axis.constraintrange ?? null
        }
      : null;
  });
}

test.describe('Parallel coordinates', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('a log-scale variable is drawn on a log axis and brushed in values', async ({
    page
  }, testInfo) => {
    await page.route(/\/trialbook\/api\/metrics/, route => route.continue());
    await runInNewNotebook(page, SOURCE);
    await openExperimentView(page, EXPERIMENT);
    const view = page.locator(VIEW);
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '10 of 10 trials'
    );
    await view.locator('.tb-ChartsPanel-tab[data-tab="parallel"]').click();
    const parcoords = view.locator('.tb-ParallelChart .js-plotly-plot');
    // plotly draws parcoords late on a loaded machine: wait as for a server.
    await expect(parcoords.locator('.y-axis').first()).toBeAttached({
      timeout: 30_000
    });

    // Five decades, evenly spaced: the axis holds log10 of the values.
    await expect
      .poll(async () => (await lrAxis(page))?.ticktext, { timeout: 30_000 })
      .toEqual(['1e-5', '1e-4', '0.001', '0.01', '0.1']);
    const axis = (await lrAxis(page))!;
    expect(new Set(axis.values.map(v => Math.round(v)))).toEqual(
      new Set([-5, -4, -3, -2, -1])
    );
    const shots: [string, () => Promise<void>][] = [
      ['parcoords-log-axis-light', async () => page.theme.setLightTheme()],
      ['parcoords-log-axis-dark', async () => page.theme.setDarkTheme()]
    ];

    // Brush the lower half of the lr axis: the table keeps lr ≤ about 1e-3.
    const axes = parcoords.locator('.axis-brush');
    const box = (await axes.nth(0).boundingBox())!;
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y + box.height * 0.55);
    await page.mouse.down();
    await page.mouse.move(x, box.y + box.height * 0.98, { steps: 10 });
    await page.mouse.up();
    // The brush is a query term in values (not exponents): lr ≤ about 1e-3.
    const term = view.locator('.tb-QueryBar-term[data-source="brush"] code');
    await expect(term).toHaveText(
      /^(variables\.)?lr >= \S+ and (variables\.)?lr <= \S+$/,
      { timeout: 30_000 }
    );
    const [low, high] = ((await term.textContent()) ?? '')
      .match(/[<>]= (\S+)/g)!
      .map(bound => Number(bound.slice(3)));
    expect(low).toBeGreaterThan(0);
    expect(low).toBeLessThan(2e-5);
    expect(high).toBeGreaterThan(1e-4);
    expect(high).toBeLessThan(2e-3);
    await expect
      .poll(async () => view.locator('.tb-TableToolbar-count').textContent(), {
        timeout: 30_000
      })
      .toMatch(/^[2-6] of 10 trials/);
    for (const [name, setTheme] of shots) {
      await setTheme();
      await screenshotOf(view, testInfo, name);
    }
    await page.theme.setLightTheme();
  });
});
