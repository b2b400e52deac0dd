import { expect, test } from '@jupyterlab/galata';

import {
  openExperimentView,
  openPanel,
  runInNewNotebook,
  screenshotOf
} from './helpers';

// Long names that share a prefix: the sidebar must tell them apart.
const FIRST = 'galata-query-cifar10-custom-vs-resnet50';
const SECOND = 'galata-query-cifar10-custom-vs-resnet50-nan';
const VIEW = '.tb-ExperimentView';

/** Two experiments with three trials each: lr and a loss that falls with it. */
const SOURCE = [
  'import trialbook',
  `for name in ["${FIRST}", "${SECOND}"]:`,
  '    exp = trialbook.Experiment.create(',
  '        name,',
  '        hypothesis="A smaller learning rate reaches a lower loss",',
  '        objective={"metric": "loss", "goal": "minimize"},',
  '        variables={"lr": [0.1, 0.01, 0.001]},',
  '        exist_ok=True,',
  '    )',
  '    scale = 1.0 if name.endswith("resnet50") else 1.5',
  '    for lr in [0.1, 0.01, 0.001]:',
  '        with exp.run(variables={"lr": lr}) as tracker:',
  '            for step in range(3):',
  '                tracker.log_metric("loss", scale * lr * 10 / (step + 1), step=step)',
  'print("ok")'
].join('\n');

test.describe('Query trials', () => {
  test.use({ viewport: { width: 1400, height: 900 } });

  test('a typo is pinpointed, the fixed query narrows the table', async ({
    page
  }, testInfo) => {
    await page.route(/\/trialbook\/api\/metrics/, route => route.continue());
    const panel = await openPanel(page);
    await runInNewNotebook(page, SOURCE);

    // The sidebar keeps the distinguishing end of each name; hover shows it whole.
    for (const [name, tail] of [
      [FIRST, '-resnet50'],
      [SECOND, '-nan']
    ]) {
      const label = panel.locator(
        `.tb-ExperimentItem[data-tb-experiment="${name}"] .tb-ExperimentItem-name`
      );
      await expect(label.locator('.tb-MiddleEllipsis-tail')).toHaveText(tail);
      await expect(label.locator('.tb-MiddleEllipsis-tail')).toBeVisible();
      await expect(label).toHaveAttribute('title', name);
    }
    await screenshotOf(
      page.locator('#trialbook-experiments'),
      testInfo,
      'sidebar-light'
    );
    await openExperimentView(page, FIRST);
    const view = page.locator(VIEW);
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '3 of 3 trials'
    );

    // A typo in a name: the server's message under the bar, a caret under the typo.
    const bar = view.locator('.tb-QueryBar-input');
    await bar.click();
    await bar.fill('lrr < 0.05');
    await bar.press('Escape');
    await bar.press('Enter');
    const error = view.locator('.tb-QueryBar-error');
    await expect(error).toContainText("unknown name 'lrr'");
    await expect(error).toContainText("did you mean 'lr'?");
    await expect(view.locator('.tb-QueryBar-caret')).toHaveText(
      'lrr < 0.05\n^^^'
    );
    await screenshotOf(page.locator(VIEW), testInfo, 'query-error-light');

    // Completion offers the name; taking it and running narrows the table.
    await bar.fill('l');
    const completion = view.locator('.tb-QueryBar-completion');
    await expect(completion.getByRole('option', { name: 'lr' })).toBeVisible();
    await completion.getByRole('option', { name: 'lr' }).click();
    await bar.press('End');
    await bar.pressSequentially(' < 0.05');
    await bar.press('Escape');
    await bar.press('Enter');
    await expect(error).toHaveCount(0);
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '2 of 3 trials'
    );
    await expect(view.locator('.tb-TrialTable-row')).toHaveCount(2);

    // A column filter becomes a term of the query, shown in the bar.
    await view
      .locator('.tb-TrialTable-filter')
      .nth(1) // Status, after the pinned trial name
      .locator('input')
      .first()
      .fill('Compl');
    await expect(view.locator('.tb-QueryBar-term')).toHaveText(
      '"Compl" in status×'
    );
    await expect(view.locator('.tb-TableToolbar-count')).toContainText(
      '2 of 3 trials'
    );
    // Rows can be labelled by their variable set instead of the generated name.
    await view.getByLabel('Variables as names').check();
    await expect(
      view
        .locator('.tb-TrialTable-row')
        .first()
        .locator('.tb-TrialTable-cell')
        .first()
    ).toHaveText(/^lr=0\.0+1$/);
    await screenshotOf(page.locator(VIEW), testInfo, 'query-narrowed-light');
    await page.theme.setDarkTheme();
    await screenshotOf(page.locator(VIEW), testInfo, 'query-narrowed-dark');
    await screenshotOf(
      page.locator('#trialbook-experiments'),
      testInfo,
      'sidebar-dark'
    );
    await page.theme.setLightTheme();

    // All trials, from the sidebar's toolbar (also "Trialbook: All Trials" in the palette).
    expect(
      await page.evaluate(() =>
        window.jupyterapp.commands.label('trialbook:open-all-trials')
      )
    ).toBe('All Trials');
    await panel.locator('.tb-ExperimentsPanel-allTrials').click();
    const all = page.locator('#trialbook-all-trials');
    await expect(all.locator('.tb-ExperimentViewHeader-name')).toHaveText(
      'All trials'
    );
    await expect(
      all.locator('.tb-TrialTable-header[data-column="experiment_name"]')
    ).toBeVisible();

    // One query over both experiments: the trial with lr=0.001 of each.
    const allBar = all.locator('.tb-QueryBar-input');
    await allBar.fill('experiment.startswith("galata-query-") and lr == 0.001');
    await allBar.press('Escape');
    await allBar.press('Enter');
    const rows = all.locator('.tb-TrialTable-row');
    await expect(rows).toHaveCount(2);
    // Other journeys of the same run may have added experiments: only ours match.
    await expect(all.locator('.tb-TableToolbar-count')).toContainText(
      /^2 of \d+ trials/
    );
    const experimentCells = await rows.evaluateAll(elements =>
      elements.map(
        element =>
          element.querySelectorAll('.tb-TrialTable-cell')[1].textContent
      )
    );
    expect(experimentCells.sort()).toEqual([FIRST, SECOND]);

    // Compare them: the experiment differs, lr does not.
    await rows.nth(0).click();
    await rows.nth(1).click({ modifiers: ['ControlOrMeta'] });
    await all.locator('.tb-TableToolbar-compare').click();
    const compare = all.locator('.tb-TrialCompare');
    await expect(compare.locator('thead th')).toHaveCount(3);
    await expect(
      compare.locator('tr.tb-mod-differs', { hasText: 'Experiment' })
    ).toHaveCount(1);
    await screenshotOf(
      page.locator('#trialbook-all-trials'),
      testInfo,
      'all-trials-light'
    );
    await page.theme.setDarkTheme();
    await screenshotOf(
      page.locator('#trialbook-all-trials'),
      testInfo,
      'all-trials-dark'
    );
    await page.theme.setLightTheme();
  });
});
