import { expect, test } from '@jupyterlab/galata';

import {
  expandExperiment,
  openPanel,
  screenshotPanel,
  setFirstCellSource
} from './helpers';

const EXPERIMENT = 'galata-live-training';

/** A training cell that logs slowly with the real API (about 12 s). */
const TRAINING_CELL = [
  'import time, trialbook',
  'exp = trialbook.Experiment.create(',
  `    "${EXPERIMENT}",`,
  '    hypothesis="A slow training loop shows up live in the sidebar",',
  '    objective={"metric": "val_accuracy", "goal": "maximize"},',
  '    variables={"lr": [0.1, 0.01], "batch_size": [32]},',
  '    exist_ok=True,',
  ')',
  'with exp.run(variables={"lr": 0.1, "batch_size": 32}) as tracker:',
  '    for step in range(48):',
  '        tracker.log_metric("val_accuracy", round(0.5 + step / 100, 3), step=step)',
  '        time.sleep(0.25)',
  'print("trained")'
].join('\n');

test.describe('Live training', () => {
  test('a running trial is InProgress with a moving value, then Completed', async ({
    page
  }, testInfo) => {
    // Count the comm batches reaching the page: the live path is the comm.
    let batches = 0;
    page.on('websocket', socket => {
      socket.on('framereceived', frame => {
        const text =
          typeof frame.payload === 'string'
            ? frame.payload
            : frame.payload.toString('utf8');
        if (text.includes('comm_msg') && /"type":\s*"batch"/.test(text)) {
          batches += 1;
        }
      });
    });

    const panel = await openPanel(page);
    await page.notebook.createNew();
    await setFirstCellSource(page, TRAINING_CELL);
    // Runs until the loop ends; the sidebar is watched meanwhile.
    const training = page.notebook.runCell(0, true);

    const experiment = await expandExperiment(panel, EXPERIMENT);
    const trial = experiment.locator('.tb-TrialItem').first();
    await expect(trial).toHaveAttribute('data-status', 'InProgress', {
      timeout: 30_000
    });
    await expect(trial.locator('.tb-StatusBadge')).toHaveText('In progress');
    await expect(
      experiment.locator('.tb-ExperimentItem-running')
    ).toContainText('1 running');
    await expect(trial).toContainText('lr=0.1');
    await expect(trial.locator('.tb-TrialItem-metricName')).toHaveText(
      'val_accuracy'
    );

    // The latest value moves while the cell runs.
    const value = trial.locator('.tb-TrialItem-metricValue');
    await expect(value).not.toHaveText('–');
    const first = await value.textContent();
    await expect(value).not.toHaveText(first ?? '', { timeout: 5_000 });
    await expect(trial.locator('.tb-Sparkline')).toBeVisible();
    await expect(trial.locator('.tb-TrialItem-provenance')).toContainText(
      '.ipynb'
    );
    await screenshotPanel(page, panel, testInfo, 'sidebar-live');

    await expect(trial).toHaveAttribute('data-status', 'Completed', {
      timeout: 30_000
    });
    await expect(value).toHaveText('0.97');
    await training;
    expect(
      (await page.notebook.getCellTextOutput(0))?.join('') ?? ''
    ).toContain('trained');
    expect(batches).toBeGreaterThan(3);

    // Trials expand into their components.
    await trial.locator('.tb-TrialItem-row').click();
    await expect(trial.locator('.tb-ComponentItem')).toContainText('Training');
    await screenshotPanel(page, panel, testInfo, 'sidebar-expanded');
  });
});
