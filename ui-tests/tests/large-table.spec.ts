/**
 * A table larger than the screen: the server sorts it and sends windows of
 * rows as the user scrolls; the view never downloads the whole table.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { openExperimentView, runInNewNotebook, screenshotOf } from './helpers';

const EXPERIMENT = 'galata-large-table';
const TRIALS = 3000;
const VIEW = `#trialbook-experiment-${EXPERIMENT}`;

const SOURCE = `
import trialbook
exp = trialbook.Experiment.create(
    "${EXPERIMENT}",
    description="A table larger than a screen",
    objective={"metric": "score", "goal": "maximize"},
    exist_ok=True,
)
for i in range(${TRIALS}):
    with exp.run(variables={"i": i}) as tracker:
        tracker.log_metric("score", (i * 7919) % ${TRIALS})
trialbook.flush()
print("ready")
`;

/** The view model's row at an index (what the table paints there). */
async function rowAt(
  page: IJupyterLabPageFixture,
  index: number
): Promise<{ name: string; objective: number | null } | null> {
  return page.evaluate(
    ({ id, index }) => {
      const widget = [...window.jupyterapp.shell.widgets('main')].find(
        w => w.id === id
      ) as unknown as {
        model: {
          rowAt(
            i: number
          ): { name: string; objective_value: number | null } | undefined;
        };
      };
      const row = widget.model.rowAt(index);
      return row ? { name: row.name, objective: row.objective_value } : null;
    },
    { id: VIEW.slice(1), index }
  );
}

async function loadedRowCount(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(id => {
    const widget = [...window.jupyterapp.shell.widgets('main')].find(
      w => w.id === id
    ) as unknown as { model: { loader: { loadedRows(): unknown[] } } };
    return widget.model.loader.loadedRows().length;
  }, VIEW.slice(1));
}

test.describe('Large table', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('the server sorts and pages the table as it scrolls', async ({
    page
  }, testInfo) => {
    test.setTimeout(240_000);
    await runInNewNotebook(page, SOURCE);

    const tableRequests: string[] = [];
    page.on('request', request => {
      if (request.url().includes(`/experiments/${EXPERIMENT}/trials`)) {
        tableRequests.push(request.url());
      }
    });
    await openExperimentView(page, EXPERIMENT);
    const view = page.locator(VIEW);
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      `${TRIALS} of ${TRIALS} trials`
    );
    await expect(view.locator('.tb-TrialTable')).toHaveAttribute(
      'aria-rowcount',
      String(TRIALS)
    );
    expect((await rowAt(page, 0))?.objective).toBe(0);

    // Sort by the objective, descending: the server answers in that order.
    const header = view.locator(
      '.tb-TrialTable-header[data-column="objective_value"]'
    );
    await header.click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    const descending = page.waitForRequest(
      request =>
        request.url().includes(`/experiments/${EXPERIMENT}/trials`) &&
        request.url().includes('sort=objective_value') &&
        request.url().includes('order=desc')
    );
    await header.click();
    await descending;
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect
      .poll(async () => (await rowAt(page, 0))?.objective)
      .toBe(TRIALS - 1);
    await expect(
      view.locator('.tb-TrialTable-row[aria-rowindex="1"]')
    ).toContainText(String(TRIALS - 1));
    expect((await rowAt(page, 1))?.objective).toBe(TRIALS - 2);

    // Jump to the middle, then to the end: rows arrive for where the user looks.
    const table = view.locator('.tb-TrialTable');
    expect(await rowAt(page, TRIALS / 2)).toBeNull(); // not read yet
    // Hold the window's answer a moment: the rows wait as placeholders.
    let release = (): void => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    await page.route(/\/trials\?.*offset=[1-9]/, async route => {
      await held;
      await route.continue();
    });
    await table.evaluate(element => {
      element.scrollTop = (element.scrollHeight - element.clientHeight) / 2;
    });
    await expect(
      view.locator('.tb-TrialTable-row[aria-busy="true"]').first()
    ).toBeVisible();
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'large-table-loading-light'
    );
    release();
    await expect
      .poll(async () => (await rowAt(page, TRIALS / 2))?.objective)
      .toBe(TRIALS / 2 - 1);
    await expect(view.locator('.tb-TrialTable-row[aria-busy]')).toHaveCount(0);
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'large-table-middle-light'
    );
    await page.unroute(/\/trials\?.*offset=[1-9]/);

    await table.evaluate(element => {
      element.scrollTop = element.scrollHeight;
    });
    const last = view.locator(`.tb-TrialTable-row[aria-rowindex="${TRIALS}"]`);
    await expect(last).toHaveAttribute('data-trial', /.+/);
    expect((await rowAt(page, TRIALS - 1))?.objective).toBe(0);

    // Windows only: far fewer rows held than the table has, and no request for all.
    expect(await loadedRowCount(page)).toBeLessThan(TRIALS);
    for (const url of tableRequests) {
      const limit = new URL(url).searchParams.get('limit');
      expect(limit).not.toBeNull();
      expect(Number(limit)).toBeLessThanOrEqual(2000);
    }

    // Parallel coordinates draw a capped read in table order, and say so.
    await view.locator('.tb-ChartsPanel-tab', { hasText: 'Parallel' }).click();
    await expect(view.locator('.tb-ChartsPanel-caption')).toContainText(
      `showing 2000 of ${TRIALS} trials in table order`
    );
    await screenshotOf(
      page.locator(VIEW),
      testInfo,
      'large-table-parallel-light'
    );
    await view.locator('.tb-ChartsPanel-tab', { hasText: 'Metric' }).click();

    await page.theme.setDarkTheme();
    await table.evaluate(element => {
      element.scrollTop = (element.scrollHeight - element.clientHeight) / 2;
    });
    await expect(view.locator('.tb-TrialTable-row[aria-busy]')).toHaveCount(0);
    await screenshotOf(page.locator(VIEW), testInfo, 'large-table-middle-dark');
    await page.theme.setLightTheme();
  });
});
