import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { expandExperiment, openPanel, setFirstCellSource } from './helpers';

const EXPERIMENT = 'galata-interrupt-restart';

/** A cell that trains "forever" on one variable set. */
function trainingCell(lr: number): string {
  return [
    'import os, time, trialbook',
    'print("pid", os.getpid(), flush=True)',
    'exp = trialbook.Experiment.create(',
    `    "${EXPERIMENT}",`,
    '    hypothesis="An interrupted or killed run never stays InProgress",',
    '    objective={"metric": "loss", "goal": "minimize"},',
    '    exist_ok=True,',
    ')',
    `with exp.run(variables={"lr": ${lr}}) as tracker:`,
    '    for step in range(100000):',
    '        tracker.log_metric("loss", 1 / (step + 1), step=step)',
    '        time.sleep(0.2)'
  ].join('\n');
}

/** Start the training cell without waiting for it to end. */
async function startTraining(page: IJupyterLabPageFixture, lr: number) {
  await setFirstCellSource(page, trainingCell(lr));
  await page.notebook.selectCells(0);
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('notebook:run-cell');
  });
}

test.describe('Interrupt and restart', () => {
  // Galata's kernels mock parses every POST answer as JSON; an interrupt's
  // is empty (204). Let the requests through unmocked.
  test.use({ kernels: null });

  test('interrupt: Stopped; restart: never InProgress; killed kernel: Interrupted', async ({
    page
  }) => {
    const panel = await openPanel(page);
    await page.notebook.createNew();

    // Interrupt: the tracker exits on KeyboardInterrupt with Stopped.
    await startTraining(page, 0.1);
    const experiment = await expandExperiment(panel, EXPERIMENT);
    const first = experiment.locator('.tb-TrialItem', { hasText: 'lr=0.1' });
    await expect(first).toHaveAttribute('data-status', 'InProgress', {
      timeout: 30_000
    });
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('notebook:interrupt-kernel');
    });
    await expect(first).toHaveAttribute('data-status', 'Stopped', {
      timeout: 15_000
    });
    await expect(first.locator('.tb-StatusBadge')).toHaveText('Stopped');

    // Restart: jupyter_client interrupts a busy kernel before restarting it,
    // so the tracker records the stop itself; never InProgress forever.
    await startTraining(page, 0.01);
    const second = experiment.locator('.tb-TrialItem', { hasText: 'lr=0.01' });
    await expect(second).toHaveAttribute('data-status', 'InProgress', {
      timeout: 30_000
    });
    await page.evaluate(async () => {
      const widget = window.jupyterapp.shell.currentWidget as unknown as {
        sessionContext: { session: { kernel: { restart(): Promise<void> } } };
      };
      await widget.sessionContext.session.kernel.restart();
    });
    await expect(second).not.toHaveAttribute('data-status', 'InProgress', {
      timeout: 30_000
    });
    await expect(second).toHaveAttribute('data-status', /Stopped|Interrupted/);

    // A kernel killed mid-trial (OOM, SIGKILL) never closes its tracker: once
    // its heartbeat is stale (6 s in the test server) the trial is Interrupted.
    await startTraining(page, 0.001);
    const third = experiment.locator('.tb-TrialItem', { hasText: 'lr=0.001' });
    await expect(third).toHaveAttribute('data-status', 'InProgress', {
      timeout: 30_000
    });
    const pid = Number(
      ((await page.notebook.getCellTextOutput(0)) ?? [])
        .join('')
        .match(/pid (\d+)/)?.[1]
    );
    expect(pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    // Still InProgress right after: the heartbeat is fresh.
    await expect(third).toHaveAttribute('data-status', 'InProgress');
    await expect(third).toHaveAttribute('data-status', 'Interrupted', {
      timeout: 30_000
    });
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    await expect(third.locator('.tb-StatusBadge')).toHaveText('Interrupted');
    // The experiment no longer counts it as running.
    await expect(experiment.locator('.tb-ExperimentItem-running')).toHaveCount(
      0
    );
  });
});
