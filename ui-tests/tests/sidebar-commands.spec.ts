import { expect, test } from '@jupyterlab/galata';

import { expandExperiment, openPanel, runInNewNotebook } from './helpers';

const EXPERIMENT = 'galata-sidebar-commands';

test.describe('Sidebar commands', () => {
  test('context menu, experiment view, go to cell, keyboard, delete', async ({
    page
  }) => {
    const panel = await openPanel(page);
    await runInNewNotebook(
      page,
      [
        'import trialbook',
        'exp = trialbook.Experiment.create(',
        `    "${EXPERIMENT}",`,
        '    hypothesis="Commands act on what is right-clicked",',
        '    objective={"metric": "f1", "goal": "maximize"},',
        '    variables={"k": [1, 2]},',
        '    exist_ok=True,',
        ')',
        'with exp.run(variables={"k": 1}) as tracker:',
        '    tracker.log_metric("f1", 0.5)',
        'print("ok")'
      ].join('\n')
    );
    const experiment = await expandExperiment(panel, EXPERIMENT);
    const trial = experiment.locator('.tb-TrialItem');
    await expect(trial).toHaveAttribute('data-status', 'Completed');

    // Keyboard: arrows move through the tree, Left collapses, Right expands.
    await experiment.focus();
    await page.keyboard.press('ArrowLeft');
    await expect(experiment).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('ArrowRight');
    await expect(experiment).toHaveAttribute('aria-expanded', 'true');
    await page.keyboard.press('ArrowDown');
    await expect(trial).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(trial).toHaveAttribute('aria-expanded', 'true');
    await expect(trial.locator('.tb-ComponentItem')).toHaveCount(1);

    // Go to cell: the notebook's cell becomes the active one.
    await page.notebook.addCell('code', 'print("another cell")');
    await page.notebook.selectCells(1);
    await trial.locator('.tb-LinkButton', { hasText: 'Go to cell' }).click();
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Cell.jp-mod-active')
    ).toContainText('exp.run');

    // Context menu → Open Experiment: a main-area tab with the header.
    await experiment.locator('.tb-ExperimentItem-row').click({
      button: 'right'
    });
    const menu = page.locator('.lm-Menu');
    await expect(menu.getByText(/^Open Experiment/)).toBeVisible();
    for (const label of [
      'Copy Name',
      'Edit Description…',
      'Delete Experiment…'
    ]) {
      await expect(menu.getByText(label, { exact: true })).toBeVisible();
    }
    await menu.getByText(/^Open Experiment/).click();
    const view = page.locator('#jp-main-dock-panel .tb-ExperimentView');
    await expect(view).toBeVisible();
    await expect(view).toContainText('Commands act on what is right-clicked');

    // Delete: two confirmations for an experiment with trials.
    await experiment.locator('.tb-ExperimentItem-row').click({
      button: 'right'
    });
    await page
      .locator('.lm-Menu')
      .getByText('Delete Experiment…', { exact: true })
      .click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete' })
      .click();
    await page
      .locator('.jp-Dialog')
      .getByRole('button', { name: 'Delete Experiment and Trials' })
      .click();
    await expect(
      panel.locator(`[data-tb-experiment="${EXPERIMENT}"]`)
    ).toHaveCount(0);
  });
});
