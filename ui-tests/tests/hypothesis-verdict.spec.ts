import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator, Page, TestInfo } from '@playwright/test';

import {
  openExperimentView,
  openPanel,
  quickstartCode,
  runInNewNotebook
} from './helpers';

/** The quickstart, renamed so other journeys' trials of it do not count here. */
const EXPERIMENT = 'galata-verdict-quickstart';
const VIEW = '.tb-ExperimentView';
const INLINE = '.jp-OutputArea-output .tb-InlineEvaluation';

/**
 * The quickstart's story in two cells: its code up to the first
 * `exp.evaluate()` (the claim stated in the objective, seed 0 only:
 * inconclusive), then the cell adding seeds 1 and 2 (supported).
 */
function quickstartCells(): { first: string; moreSeeds: string } {
  const code = quickstartCode().map(source =>
    source
      .replace(/cifar10-custom-vs-resnet50/g, EXPERIMENT)
      .replace(/cifar10-preprocessing/g, `${EXPERIMENT}-preprocessing`)
  );
  const evaluate = code.findIndex(source => source.trim() === 'exp.evaluate()');
  const moreSeeds = code.find(source => source.includes('!= 0'));
  expect(evaluate).toBeGreaterThan(0);
  expect(moreSeeds).toBeDefined();
  return {
    first: code.slice(0, evaluate + 1).join('\n\n'),
    moreSeeds: moreSeeds!
  };
}

/** Insert a code cell through the model (typing would auto-indent). */
async function insertCell(page: Page, index: number, source: string) {
  await page.evaluate(
    ([i, text]) => {
      const widget = window.jupyterapp.shell.currentWidget as unknown as {
        content: {
          model: {
            sharedModel: {
              insertCell(
                index: number,
                cell: { cell_type: string; source: string }
              ): void;
            };
          };
        };
      };
      widget.content.model.sharedModel.insertCell(i as number, {
        cell_type: 'code',
        source: text as string
      });
    },
    [index, source] as const
  );
}

/** Roles of the plotly traces drawn in `selector`. */
async function traceRoles(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(s => {
    const plot = document.querySelector(`${s} .js-plotly-plot`) as
      (HTMLElement & { data?: { meta?: { role?: string } }[] }) | null;
    return (plot?.data ?? []).map(trace => trace.meta?.role ?? '');
  }, selector);
}

async function shoot(
  page: IJupyterLabPageFixture,
  target: Locator,
  testInfo: TestInfo,
  name: string
): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    // Plotly colours are re-read on the frame after the theme applies.
    await page.waitForTimeout(400);
    const file = testInfo.outputPath(`${name}-${theme}.png`);
    await target.screenshot({ path: file });
    await testInfo.attach(`${name}-${theme}`, {
      path: file,
      contentType: 'image/png'
    });
  }
  await page.theme.setLightTheme();
}

test.describe('Hypothesis verdict', () => {
  test.use({ viewport: { width: 1400, height: 1000 } });

  test('one seed is inconclusive; more seeds turn the verdict to supported', async ({
    page
  }, testInfo) => {
    // Galata's user mock would catch `/trialbook/api/metrics`.
    await page.route(/\/trialbook\/api\/metrics/, route => route.continue());
    const cells = quickstartCells();
    await runInNewNotebook(page, cells.first);

    // Inline: the output of exp.evaluate() is the hypothesis card.
    const inline = page.locator(INLINE);
    await expect(inline.locator('.tb-HypothesisCard')).toHaveAttribute(
      'data-verdict',
      'inconclusive',
      { timeout: 30_000 }
    );
    await expect(inline).toContainText('more trials per group would settle it');

    // Sidebar: a small badge beside the experiment.
    const panel = await openPanel(page);
    const item = panel.locator(
      `.tb-ExperimentItem[data-tb-experiment="${EXPERIMENT}"]`
    );
    await expect(item.locator('.tb-VerdictBadge')).toHaveAttribute(
      'data-verdict',
      'inconclusive',
      { timeout: 30_000 }
    );

    // The experiment view: card, plot, coverage.
    await openExperimentView(page, EXPERIMENT);
    const view = page.locator(VIEW);
    const card = view.locator('.tb-HypothesisCard');
    await expect(card).toHaveAttribute('data-verdict', 'inconclusive');
    await expect(card.locator('.tb-HypothesisCard-claim')).toContainText(
      'custom'
    );
    await expect(card.locator('.tb-HypothesisCard-effectValue')).toHaveText(
      /^[+−]\S+ \[[+−]?\S+, [+−]?\S+\]$/
    );
    await expect(card.locator('.tb-HypothesisCard-hint')).toContainText(
      /About \d+ more trials? per group would settle it\./
    );
    await expect
      .poll(() => traceRoles(page, `${VIEW} .tb-GroupDistributionChart`))
      .toEqual(['points', 'mean', 'points', 'mean']);

    const coverage = view.locator('.tb-CoverageGrid');
    await expect(coverage).toContainText('4 of 12 sets completed');
    await expect(coverage.locator('.tb-CoverageGrid-cell')).toHaveCount(12);
    await expect(
      coverage.locator('.tb-CoverageGrid-cell[data-status="missing"]')
    ).toHaveCount(8);
    await coverage
      .locator('.tb-CoverageGrid-cell[data-status="missing"]')
      .first()
      .click();
    // Keys in the order the server lists the variables.
    const copied = coverage.locator('.tb-CoverageGrid-status');
    await expect(copied).toHaveText(/^Copied exp\.run\(variables=\{.*\}\)$/);
    await expect(copied).toContainText(/'model': '(custom|resnet50)'/);
    await expect(copied).toContainText(/'lr': 0\.1|'lr': 0\.01/);
    await expect(copied).toContainText(/'seed': [12]/);
    await shoot(page, view, testInfo, 'verdict-inconclusive');

    // More seeds: the verdict turns to supported everywhere, live.
    await page.evaluate(() => {
      // Back to the notebook tab.
      for (const widget of window.jupyterapp.shell.widgets('main')) {
        if (widget.hasClass('jp-NotebookPanel')) {
          window.jupyterapp.shell.activateById(widget.id);
        }
      }
    });
    await insertCell(page, 1, cells.moreSeeds);
    await page.notebook.runCell(1, true);
    // Both outputs: the first one updated live, the new one computed so.
    await expect(inline.locator('.tb-HypothesisCard')).toHaveCount(2, {
      timeout: 30_000
    });
    await expect(inline.locator('.tb-HypothesisCard').first()).toHaveAttribute(
      'data-verdict',
      'supported',
      { timeout: 30_000 }
    );
    await expect(inline.locator('.tb-HypothesisCard').last()).toHaveAttribute(
      'data-verdict',
      'supported'
    );
    await shoot(page, inline.first(), testInfo, 'verdict-inline');
    await expect(item.locator('.tb-VerdictBadge')).toHaveAttribute(
      'data-verdict',
      'supported',
      { timeout: 30_000 }
    );
    await openExperimentView(page, EXPERIMENT);
    await expect(card).toHaveAttribute('data-verdict', 'supported', {
      timeout: 30_000
    });
    await expect(card.locator('.tb-HypothesisCard-hint')).toHaveCount(0);
    await expect(coverage).toContainText('12 of 12 sets completed');

    // Averaged over seeds: four group rows of three trials, mean ± CI.
    await view.locator('.tb-GroupingControls-enabled').check();
    const groupRows = view.locator('.tb-TrialTable-groupRow');
    await expect(groupRows).toHaveCount(4);
    await expect(groupRows.first()).toContainText('n=3');
    await expect(
      groupRows.first().locator('.tb-TrialTable-cell.tb-mod-numeric').first()
    ).toContainText('±');
    await groupRows.first().click();
    await expect(view.locator('.tb-TrialTable-row.tb-mod-member')).toHaveCount(
      3
    );
    await view.locator('.tb-GroupingControls-spread').selectOption('sd');
    await expect(
      groupRows.first().locator('.tb-TrialTable-cell.tb-mod-numeric').first()
    ).toContainText('±');

    // Grouped curves with the CI band.
    await view.locator('.tb-CurveOptions-groupBy').selectOption('model');
    await view.locator('.tb-CurveOptions-ciBand').check();
    await expect
      .poll(async () =>
        (await traceRoles(page, `${VIEW} .tb-MetricChart`)).filter(
          role => role === 'ci'
        )
      )
      .toHaveLength(2);
    await shoot(page, view, testInfo, 'verdict-supported');
    await shoot(
      page,
      panel.locator(`.tb-ExperimentItem[data-tb-experiment="${EXPERIMENT}"]`),
      testInfo,
      'verdict-sidebar'
    );
  });
});
