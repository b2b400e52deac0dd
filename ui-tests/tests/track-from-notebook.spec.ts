import { expect, test } from '@jupyterlab/galata';

import { PANEL, runInNewNotebook } from './helpers';

test.describe('Track from a notebook', () => {
  test('an experiment created in a cell appears in the Experiments panel', async ({
    page
  }, testInfo) => {
    await runInNewNotebook(
      page,
      [
        'import trialbook',
        'trialbook.Experiment.create(',
        '    "galata-cifar10",',
        '    hypothesis="If I use my custom model, it beats ResNet50 on CIFAR10",',
        '    objective={"metric": "val_accuracy", "goal": "maximize"},',
        '    exist_ok=True,',
        ')',
        'trialbook.Experiment.create(',
        '    "<img src=x onerror=alert(1)>",',
        '    description="A name that looks like HTML",',
        '    exist_ok=True,',
        ')',
        'print(len(trialbook.Experiment.list()))'
      ].join('\n')
    );

    await page.sidebar.openTab('trialbook-experiments');
    const panel = page.locator(PANEL);
    await expect(panel).toBeVisible();
    await expect(panel.locator('.tb-ExperimentsPanel-title')).toHaveText(
      /experiments/i
    );

    const item = panel.locator('.tb-ExperimentItem', {
      hasText: 'galata-cifar10'
    });
    await expect(item).toBeVisible();
    await expect(item).toContainText('beats ResNet50');
    await expect(item).toContainText('0 trials');

    // A name that looks like HTML is shown as text, never parsed.
    await expect(
      panel.locator('.tb-ExperimentItem-name', {
        hasText: '<img src=x onerror=alert(1)>'
      })
    ).toBeVisible();
    await expect(panel.locator('.tb-ExperimentItem img')).toHaveCount(0);

    // Search narrows the list (other journeys may share the store).
    const total = await panel.locator('.tb-ExperimentItem').count();
    expect(total).toBeGreaterThanOrEqual(2);
    await panel.locator('.tb-ExperimentList-search').fill('beats resnet');
    await expect(panel.locator('.tb-ExperimentItem')).toHaveCount(1);
    await panel.locator('.tb-ExperimentList-search').fill('');
    await expect(panel.locator('.tb-ExperimentItem')).toHaveCount(total);

    const light = testInfo.outputPath('sidebar-light.png');
    await panel.screenshot({ path: light });
    await testInfo.attach('sidebar-light', {
      path: light,
      contentType: 'image/png'
    });

    await page.theme.setDarkTheme();
    const dark = testInfo.outputPath('sidebar-dark.png');
    await panel.screenshot({ path: dark });
    await testInfo.attach('sidebar-dark', {
      path: dark,
      contentType: 'image/png'
    });
    await page.theme.setLightTheme();
  });

  test('the command palette shows the panel and refresh picks up new experiments', async ({
    page
  }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('trialbook:show-experiments');
    });
    const panel = page.locator(PANEL);
    await expect(panel).toBeVisible();

    await runInNewNotebook(
      page,
      [
        'import trialbook',
        'trialbook.Experiment.create("galata-refresh", hypothesis="Refresh shows me", exist_ok=True)'
      ].join('\n')
    );
    await page.sidebar.openTab('trialbook-experiments');
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('trialbook:refresh-experiments');
    });
    await expect(
      panel.locator('.tb-ExperimentItem', { hasText: 'galata-refresh' })
    ).toBeVisible();

    // The palette lists the command under the Trialbook category.
    await page.keyboard.press('Control+Shift+C');
    await page.locator('#command-palette input').fill('Show Experiments');
    await expect(
      page.locator('#command-palette .lm-CommandPalette-item', {
        hasText: 'Show Experiments'
      })
    ).toHaveCount(1);
    await page.keyboard.press('Escape');
  });
});
