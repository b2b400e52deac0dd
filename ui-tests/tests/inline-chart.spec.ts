import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Page, TestInfo } from '@playwright/test';
import { writeFileSync } from 'fs';

const EXPERIMENT = 'galata-inline-chart';
const NOTEBOOK = 'inline-chart.ipynb';
const CHART = '.jp-OutputArea-output .tb-InlineChart';

/** Creates the experiment, a first short trial, and plots its loss. */
const create = (name: string) => [
  'import time, trialbook',
  'exp = trialbook.Experiment.create(',
  `    "${name}",`,
  '    hypothesis="An inline chart grows while a later cell trains",',
  '    objective={"metric": "loss", "goal": "minimize"},',
  '    variables={"lr": [0.1, 0.01, 0.001]},',
  '    exist_ok=True,',
  ')'
];
const CREATE = create(EXPERIMENT);
const CARDS_EXPERIMENT = 'galata-inline-cards';

const SETUP_CELL = [
  ...CREATE,
  'with exp.run(variables={"lr": 0.1}) as tracker:',
  '    for step in range(10):',
  '        tracker.log_metric("loss", round(1 / (step + 1), 4), step=step)',
  'exp.plot("loss")'
].join('\n');

/**
 * A new trial (created after the chart was displayed) logging slowly; it
 * runs in whatever kernel the notebook has (a reload may bring a new one).
 */
function trainingCell(lr: number, steps: number): string {
  return [
    ...CREATE,
    `with exp.run(variables={"lr": ${lr}}) as tracker:`,
    `    for step in range(${steps}):`,
    '        tracker.log_metric("loss", round(2 / (step + 2) + 0.1, 4), step=step)',
    '        time.sleep(0.2)',
    'print("trained")'
  ].join('\n');
}

/** Set a cell's source through the model (typing would auto-indent). */
async function setCellSource(
  page: Page,
  index: number,
  source: string
): Promise<void> {
  await page.evaluate(
    ([i, text]) => {
      const widget = window.jupyterapp.shell.currentWidget as unknown as {
        content: {
          model: {
            sharedModel: {
              cells: { setSource(value: string): void }[];
              insertCell(
                index: number,
                cell: { cell_type: string; source: string }
              ): void;
            };
          };
        };
      };
      const shared = widget.content.model.sharedModel;
      if (shared.cells.length > (i as number)) {
        shared.cells[i as number].setSource(text as string);
      } else {
        shared.insertCell(i as number, {
          cell_type: 'code',
          source: text as string
        });
      }
    },
    [index, source] as const
  );
}

/** Points drawn by the inline chart's plotly traces. */
async function chartPoints(page: Page): Promise<number> {
  return page.evaluate(selector => {
    const plot = document.querySelector(`${selector} .tb-PlotlyChart-plot`) as
      (HTMLElement & { data?: { x?: unknown[] }[] }) | null;
    return (plot?.data ?? []).reduce(
      (sum, trace) => sum + (trace.x?.length ?? 0),
      0
    );
  }, CHART);
}

async function chartTraces(page: Page): Promise<number> {
  return page.evaluate(selector => {
    const plot = document.querySelector(`${selector} .tb-PlotlyChart-plot`) as
      (HTMLElement & { data?: unknown[] }) | null;
    return plot?.data?.length ?? 0;
  }, CHART);
}

/** The saved notebook, read back through the contents API. */
async function savedOutputs(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(async () => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      context: { path: string };
    };
    const file = widget.context.path;
    const model = await window.jupyterapp.serviceManager.contents.get(file, {
      content: true
    });
    const cells = (model.content as { cells: Record<string, unknown>[] }).cells;
    return (cells[0].outputs as Record<string, unknown>[]) ?? [];
  });
}

/** The PNG the frontend wrote into the first cell's output, unsaved. */
async function outputPng(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      content: {
        model: {
          cells: {
            get(index: number): {
              outputs: {
                get(index: number): { data: Record<string, unknown> };
              };
            };
          };
        };
      };
    };
    const output = widget.content.model.cells.get(0).outputs.get(0);
    return (output?.data['image/png'] as string | undefined) ?? null;
  });
}

async function screenshotChart(
  page: IJupyterLabPageFixture,
  testInfo: TestInfo,
  name: string
): Promise<void> {
  const chart = page.locator(CHART).first();
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
      await page.waitForTimeout(800);
    }
    const path = testInfo.outputPath(`${name}-${theme}.png`);
    await chart.screenshot({ path });
    await testInfo.attach(`${name}-${theme}`, {
      path,
      contentType: 'image/png'
    });
  }
  await page.theme.setLightTheme();
}

test.describe('Inline chart', () => {
  test('grows live, survives saving as PNG, re-attaches after a reload', async ({
    page
  }, testInfo) => {
    test.setTimeout(240_000);
    await page.notebook.createNew(NOTEBOOK);
    await setCellSource(page, 0, SETUP_CELL);
    await page.notebook.runCell(0, true);

    const chart = page.locator(CHART);
    await expect(chart).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => chartPoints(page), { timeout: 20_000 }).toBe(10);
    // The live view is preferred over the kernel's static HTML fallback.
    await expect(
      page.locator('.jp-OutputArea-output .trialbook-chart')
    ).toHaveCount(0);

    // The chart's picture is written into the output soon after it is drawn.
    await expect
      .poll(() => outputPng(page), { timeout: 10_000 })
      .not.toBeNull();
    const firstPng = await outputPng(page);

    // A later cell trains a new trial: the chart grows while it runs.
    await setCellSource(page, 1, trainingCell(0.01, 40));
    const training = page.notebook.runCell(1, true);
    await expect.poll(() => chartTraces(page), { timeout: 30_000 }).toBe(2);
    const early = await chartPoints(page);
    await expect
      .poll(() => chartPoints(page), { timeout: 20_000 })
      .toBeGreaterThan(early + 5);
    await screenshotChart(page, testInfo, 'inline-chart-live');
    await training;
    await expect.poll(() => chartPoints(page), { timeout: 20_000 }).toBe(50);

    // The picture is written back again (throttled, ~10 s) and saved: the
    // saved PNG is the chart with both trials, the one the output holds now.
    let saved = '';
    await expect
      .poll(
        async () => {
          await page.notebook.save();
          const outputs = await savedOutputs(page);
          const data = (outputs.find(output => output.data) ?? {}).data as
            Record<string, string> | undefined;
          saved = data?.['image/png'] ?? '';
          return saved !== '' && saved !== firstPng;
        },
        { timeout: 40_000, intervals: [2_000] }
      )
      .toBe(true);
    expect(saved).toBe(await outputPng(page));
    const outputs = await savedOutputs(page);
    const data = outputs.find(output => output.data)!.data as Record<
      string,
      string
    >;
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining([
        'application/vnd.trialbook.chart+json',
        'text/plain',
        'text/html',
        'image/png'
      ])
    );
    // A real PNG of a drawn chart, not an empty picture.
    expect(
      Buffer.from(data['image/png'], 'base64').subarray(1, 4).toString()
    ).toBe('PNG');
    expect(data['image/png'].length).toBeGreaterThan(5_000);
    const pngPath = testInfo.outputPath('saved-fallback.png');
    writeFileSync(pngPath, Buffer.from(data['image/png'], 'base64'));
    await testInfo.attach('saved-fallback', {
      path: pngPath,
      contentType: 'image/png'
    });

    // Reload: the output re-renders from the saved data and re-attaches.
    // (The restored notebook, not a Launcher, is the active tab.)
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await expect(page.locator(CHART)).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => chartPoints(page), { timeout: 20_000 }).toBe(50);
    await setCellSource(page, 1, trainingCell(0.001, 30));
    const again = page.notebook.runCell(1, true);
    await expect.poll(() => chartTraces(page), { timeout: 30_000 }).toBe(3);
    const before = await chartPoints(page);
    await expect
      .poll(() => chartPoints(page), { timeout: 20_000 })
      .toBeGreaterThan(before + 5);
    await again;
    await expect.poll(() => chartPoints(page), { timeout: 20_000 }).toBe(80);
    await screenshotChart(page, testInfo, 'inline-chart-reattached');
  });

  test('experiment, trial and component cards link to the views', async ({
    page
  }, testInfo) => {
    await page.notebook.createNew('inline-cards.ipynb');
    await setCellSource(
      page,
      0,
      [
        ...create(CARDS_EXPERIMENT),
        'from IPython.display import display',
        'with exp.run(variables={"lr": 0.01}) as tracker:',
        '    tracker.log_parameter("optimizer", "adam")',
        '    for step in range(20):',
        '        tracker.log_metrics({"loss": 1 / (step + 1), "accuracy": step / 20}, step=step)',
        'display(exp)',
        'display(exp.list_trials()[0])',
        'tracker'
      ].join('\n')
    );
    await page.notebook.runCell(0, true);

    const experiment = page.locator(
      '.tb-InlineCard[data-tb-kind="experiment"]'
    );
    const trial = page.locator('.tb-InlineCard[data-tb-kind="trial"]');
    const component = page.locator('.tb-InlineCard[data-tb-kind="component"]');
    await expect(experiment.locator('.tb-InlineCard-name')).toHaveText(
      CARDS_EXPERIMENT
    );
    await expect(experiment).toContainText('lr');
    await expect(experiment.locator('.tb-InlineCard-trials li')).toHaveCount(1);
    await expect(trial.locator('.tb-StatusBadge')).toHaveText('Completed');
    await expect(trial).toContainText('lr=0.01');
    await expect(trial).toContainText('optimizer=adam');
    await expect(
      trial.locator('[data-metric="loss"] .tb-Sparkline')
    ).toBeVisible();
    await expect(trial.locator('[data-metric="accuracy"]')).toContainText(
      '20 points'
    );
    await expect(component.locator('.tb-InlineCard-name')).toHaveText(
      'Training'
    );
    // The kernel's static HTML fallbacks are not what is shown.
    await expect(
      page.locator('.jp-OutputArea-output .trialbook-card')
    ).toHaveCount(0);

    const outputs = page.locator('.jp-Cell').first().locator('.jp-OutputArea');
    for (const theme of ['light', 'dark'] as const) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      }
      const path = testInfo.outputPath(`inline-cards-${theme}.png`);
      await outputs.screenshot({ path });
      await testInfo.attach(`inline-cards-${theme}`, {
        path,
        contentType: 'image/png'
      });
    }
    await page.theme.setLightTheme();

    // "Show in sidebar" reveals the trial; "Open experiment" opens its view.
    await trial.locator('.tb-InlineCard-reveal').click();
    const row = page.locator('#trialbook-experiments [data-tb-trial]').first();
    await expect(row).toBeVisible({ timeout: 15_000 });
    await experiment.locator('.tb-InlineCard-open').click();
    await expect(
      page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: CARDS_EXPERIMENT
      })
    ).toBeVisible({ timeout: 15_000 });
  });

  test('a tracker chart grows live in a console', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('console:create', {
        kernelPreference: { name: 'python3' }
      });
    });
    const run = async (code: string) => {
      await page.evaluate(async source => {
        const widget = window.jupyterapp.shell.currentWidget as unknown as {
          console: {
            sessionContext: { ready: Promise<void> };
            promptCell: {
              model: { sharedModel: { setSource(text: string): void } };
            };
          };
        };
        await widget.console.sessionContext.ready;
        widget.console.promptCell.model.sharedModel.setSource(source);
        await window.jupyterapp.commands.execute('console:run-forced');
      }, code);
    };
    await run(
      'import trialbook, time; t = trialbook.Tracker.create("console-run"); ' +
        '[t.log_metric("loss", 1 / (i + 1), step=i) for i in range(5)]; t.plot("loss")'
    );
    const chart = page.locator('.jp-CodeConsole .tb-InlineChart');
    await expect(chart).toBeVisible({ timeout: 30_000 });
    const points = () =>
      chart
        .locator('.tb-PlotlyChart-plot')
        .evaluate((plot: HTMLElement & { data?: { x?: unknown[] }[] }) =>
          (plot.data ?? []).reduce(
            (sum, trace) => sum + (trace.x?.length ?? 0),
            0
          )
        );
    await expect.poll(points, { timeout: 20_000 }).toBe(5);
    await run(
      '[(t.log_metric("loss", 0.1, step=i), time.sleep(0.1)) for i in range(5, 25)]; None'
    );
    await expect.poll(points, { timeout: 20_000 }).toBe(25);
  });
});
