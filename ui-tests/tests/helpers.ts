import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator, Page, TestInfo } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

export const PANEL = '#trialbook-experiments';

/** Put `source` in a new notebook's first cell and run it to the end. */
export async function runInNewNotebook(
  page: IJupyterLabPageFixture,
  source: string
): Promise<void> {
  await page.notebook.createNew();
  await setFirstCellSource(page, source);
  await page.notebook.runCell(0, true);
  const output = await page.notebook.getCellTextOutput(0);
  expect(output?.join('') ?? '').not.toContain('Error');
}

/**
 * Set the active notebook's first cell through its model: typing into the
 * editor would add auto-indentation to indented blocks.
 */
export async function setFirstCellSource(
  page: Page,
  source: string
): Promise<void> {
  await page.evaluate(text => {
    const widget = window.jupyterapp.shell.currentWidget as unknown as {
      content: {
        model: {
          sharedModel: {
            getSource?: never;
            cells: { setSource(value: string): void }[];
          };
        };
      };
    };
    widget.content.model.sharedModel.cells[0].setSource(text);
  }, source);
}

/** Open the Experiments panel. */
export async function openPanel(
  page: IJupyterLabPageFixture
): Promise<Locator> {
  await page.sidebar.openTab('trialbook-experiments');
  const panel = page.locator(PANEL);
  await expect(panel).toBeVisible();
  return panel;
}

/** The experiment's tree item, expanded (its trials listed). */
export async function expandExperiment(
  panel: Locator,
  name: string
): Promise<Locator> {
  const item = panel.locator(
    `.tb-ExperimentItem[data-tb-experiment="${name}"]`
  );
  await expect(item).toBeVisible({ timeout: 30_000 });
  if ((await item.getAttribute('aria-expanded')) !== 'true') {
    await item.locator('.tb-ExperimentItem-row').click();
  }
  await expect(item).toHaveAttribute('aria-expanded', 'true');
  return item;
}

/** Screenshot of the panel in light and dark themes, attached to the report. */
export async function screenshotPanel(
  page: IJupyterLabPageFixture,
  panel: Locator,
  testInfo: TestInfo,
  name: string
): Promise<void> {
  const light = testInfo.outputPath(`${name}-light.png`);
  await panel.screenshot({ path: light });
  await testInfo.attach(`${name}-light`, {
    path: light,
    contentType: 'image/png'
  });
  await page.theme.setDarkTheme();
  const dark = testInfo.outputPath(`${name}-dark.png`);
  await panel.screenshot({ path: dark });
  await testInfo.attach(`${name}-dark`, {
    path: dark,
    contentType: 'image/png'
  });
  await page.theme.setLightTheme();
}

/** Screenshot of one element, attached to the report as `name`. */
export async function screenshotOf(
  target: Locator,
  testInfo: TestInfo,
  name: string
): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await target.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Open an experiment's view through the command a user runs. */
export async function openExperimentView(
  page: Page,
  name: string
): Promise<void> {
  await page.evaluate(async experiment => {
    await window.jupyterapp.commands.execute('trialbook:open-experiment', {
      name: experiment
    });
  }, name);
}

/** The code cells of `examples/quickstart.ipynb`, in order. */
export function quickstartCode(): string[] {
  const notebook = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '..', '..', 'examples', 'quickstart.ipynb'),
      'utf-8'
    )
  );
  return notebook.cells
    .filter((cell: { cell_type: string }) => cell.cell_type === 'code')
    .map((cell: { source: string | string[] }) =>
      Array.isArray(cell.source) ? cell.source.join('') : cell.source
    );
}
