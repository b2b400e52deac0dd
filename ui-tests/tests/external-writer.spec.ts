import { expect, test } from '@jupyterlab/galata';

import {
  expandExperiment,
  openPanel,
  runInNewNotebook,
  screenshotPanel
} from './helpers';

const EXPERIMENT = 'galata-external-writer';

/** A script run by a separate Python process on the same store. */
const SCRIPT = [
  'import trialbook',
  'exp = trialbook.Experiment.create(',
  `    "${EXPERIMENT}",`,
  '    hypothesis="A script outside any kernel shows up without a reload",',
  '    objective={"metric": "accuracy", "goal": "maximize"},',
  '    exist_ok=True,',
  ')',
  'with exp.run(variables={"depth": 3}) as tracker:',
  '    for step in range(5):',
  '        tracker.log_metric("accuracy", 0.6 + step / 20, step=step)'
].join('\n');

test.describe('External writer', () => {
  test('a trial written by a separate Python process appears without reloading', async ({
    page
  }, testInfo) => {
    const panel = await openPanel(page);
    await expect(
      panel.locator(`[data-tb-experiment="${EXPERIMENT}"]`)
    ).toHaveCount(0);

    // The kernel only launches the process: it never imports trialbook, so
    // nothing reaches the page over the comm - only the change feed sees it.
    await runInNewNotebook(
      page,
      [
        'import subprocess, sys',
        `script = ${JSON.stringify(SCRIPT)}`,
        'done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)',
        'print(done.returncode, done.stderr[-500:])'
      ].join('\n')
    );
    expect((await page.notebook.getCellTextOutput(0))?.join('')).toMatch(/^0 /);

    const experiment = await expandExperiment(panel, EXPERIMENT);
    await expect(experiment).toContainText('1 trial');
    const trial = experiment.locator('.tb-TrialItem');
    await expect(trial).toHaveCount(1);
    await expect(trial).toHaveAttribute('data-status', 'Completed');
    await expect(trial).toContainText('depth=3');
    await expect(trial.locator('.tb-TrialItem-metricValue')).toHaveText('0.8');
    await expect(trial.locator('.tb-Sparkline')).toBeVisible();
    // Not produced in a notebook: no "Go to cell".
    await expect(trial.locator('.tb-LinkButton')).toHaveCount(0);

    // A second run by another process: the list updates in place.
    await page.notebook.setCell(
      0,
      'code',
      'subprocess.run([sys.executable, "-c", script.replace(\'"depth": 3\', \'"depth": 5\')]).returncode'
    );
    await page.notebook.runCell(0, true);
    await expect(experiment.locator('.tb-TrialItem')).toHaveCount(2, {
      timeout: 15_000
    });
    await expect(experiment).toContainText('2 trials');
    await screenshotPanel(page, panel, testInfo, 'sidebar-external');
  });
});
