import { expect, test } from '@jupyterlab/galata';

const EXPERIMENT = 'galata-notebook7';

const CELLS = [
  [
    'import trialbook',
    'exp = trialbook.Experiment.create(',
    `    "${EXPERIMENT}",`,
    '    hypothesis="Inline views render in Jupyter Notebook 7 too",',
    '    objective={"metric": "loss", "goal": "minimize"},',
    '    variables={"lr": [0.1, 0.01]},',
    '    exist_ok=True,',
    ')',
    'with exp.run(variables={"lr": 0.1}) as tracker:',
    '    for step in range(12):',
    '        tracker.log_metric("loss", 1 / (step + 1), step=step)',
    'exp'
  ],
  ['exp.plot("loss")']
];

function notebook(): string {
  return JSON.stringify({
    cells: CELLS.map(lines => ({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: lines.join('\n')
    })),
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

test.describe('Jupyter Notebook 7', () => {
  test('an experiment card and a live chart render inline', async ({
    page: lab,
    baseURL,
    tmpPath
  }, testInfo) => {
    const path = `${tmpPath}/notebook7.ipynb`;
    await lab.contents.uploadContent(notebook(), 'text', path);
    // A plain page: Galata's own waits are JupyterLab's.
    const page = await lab.context().newPage();
    await page.goto(`${baseURL}/notebooks/${path}`);
    const cells = page.locator('.jp-Notebook .jp-CodeCell');
    await expect(cells).toHaveCount(2, { timeout: 30_000 });
    // Run both cells once the kernel the page started is idle: a keypress sent
    // while it is still starting can be lost, leaving both cells unrun.
    await expect(
      page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
    ).toHaveCount(1, { timeout: 60_000 });
    await cells.first().locator('.jp-InputArea-editor').click();
    const runAndAdvance = page.getByRole('button', {
      name: /Run this cell and advance/
    });
    await runAndAdvance.click();
    await expect(
      page.locator(
        '.jp-OutputArea-output .tb-InlineCard[data-tb-kind="experiment"]'
      )
    ).toBeVisible({ timeout: 60_000 });
    await runAndAdvance.click();

    const card = page.locator('.tb-InlineCard[data-tb-kind="experiment"]');
    await expect(card.locator('.tb-InlineCard-name')).toHaveText(EXPERIMENT);
    await expect(card).toContainText(
      'Inline views render in Jupyter Notebook 7'
    );

    const chart = page.locator('.jp-OutputArea-output .tb-InlineChart');
    await expect(chart).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(
        () =>
          chart
            .locator('.tb-PlotlyChart-plot')
            .evaluate((plot: HTMLElement & { data?: { x?: unknown[] }[] }) =>
              (plot.data ?? []).reduce(
                (sum, trace) => sum + (trace.x?.length ?? 0),
                0
              )
            ),
        { timeout: 20_000 }
      )
      .toBe(12);
    // The live view, not the kernel's static fallback.
    await expect(
      page.locator('.jp-OutputArea-output .trialbook-chart')
    ).toHaveCount(0);

    const shot = testInfo.outputPath('notebook7-inline.png');
    await page.locator('.jp-Notebook').screenshot({ path: shot });
    await testInfo.attach('notebook7-inline', {
      path: shot,
      contentType: 'image/png'
    });
  });
});
