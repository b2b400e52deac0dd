/**
 * The live path in a real browser (issue 5): a notebook kernel logs, the
 * Experiments panel shows it. Reports
 *   (a) latency from `log_metric` in the kernel to the value shown in the
 *       sidebar (median, p95) — target ≤ 250 ms median;
 *   (b) points per second carried live to the page while the kernel logs as
 *       fast as it can, with sequence gaps counted — target ≥ 50,000/s, none lost;
 *   (c) the training loop's rate with the panel open vs closed.
 * Same machine, same clock: the kernel's `time.time()` and the page's
 * `Date.now()` compare directly.
 *
 * Run with `benchmarks/ui/run.sh [--quick]`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- page-side code reads
   JupyterLab's untyped runtime objects (the app, the current widget). */
import { expect, galata, test } from '@jupyterlab/galata';
import * as fs from 'fs';

const QUICK = !!process.env.TRIALBOOK_BENCH_QUICK;
// Quick: a smoke run of every measure, too small to judge the targets.
const TICKS = QUICK ? 12 : 150;
const FLOOD = QUICK ? 100_000 : 3_000_000;
const EXPERIMENT = 'bench-live';

test.use({ mockUser: false, autoGoto: true });

/** Run `source` in the active notebook's cell `index` and return its text output. */
async function run(
  page: galata.IJupyterLabPageFixture,
  index: number,
  source: string
): Promise<string> {
  if (index > 0) {
    await page.notebook.addCell('code', '');
  }
  await page.evaluate(
    ({ text, cell }) => {
      const widget = (window as any).jupyterapp.shell.currentWidget;
      widget.content.model.sharedModel.cells[cell].setSource(text);
    },
    { text: source, cell: index }
  );
  await page.notebook.runCell(index, true);
  return ((await page.notebook.getCellTextOutput(index)) ?? []).join('');
}

/** The number a cell printed last (a warning on stderr may come before it). */
function lastNumber(output: string): number {
  return Number(output.trim().split('\n').pop());
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor(fraction * (sorted.length - 1)))
  ];
}

test('live bridge: latency, throughput and slowdown in the browser', async ({
  page
}, testInfo) => {
  test.setTimeout(600_000);
  // Count every point and batch the page receives over the kernel websocket.
  const received = {
    points: 0,
    batches: 0,
    gaps: 0,
    lastSeq: 0,
    at: [] as number[]
  };
  page.on('websocket', socket => {
    socket.on('framereceived', frame => {
      const text =
        typeof frame.payload === 'string'
          ? frame.payload
          : frame.payload.toString('latin1');
      if (
        !text.includes('"type":"batch"') &&
        !text.includes('"type": "batch"')
      ) {
        return;
      }
      const seq = Number(/"seq":\s*(\d+)/.exec(text)?.[1] ?? 0);
      if (received.lastSeq && seq > received.lastSeq + 1) {
        received.gaps += 1;
      }
      received.lastSeq = Math.max(received.lastSeq, seq);
      received.batches += 1;
      received.at.push(Date.now());
      for (const match of text.matchAll(/"count":\s*(\d+)/g)) {
        received.points += Number(match[1]);
      }
    });
  });

  await page.sidebar.openTab('trialbook-experiments');
  await page.notebook.createNew();
  await run(
    page,
    0,
    [
      'import json, time, trialbook',
      `exp = trialbook.Experiment.create("${EXPERIMENT}", hypothesis="live is fast",`,
      '    objective={"metric": "tick", "goal": "maximize"}, variables={"run": ["latency", "flood-open", "flood-closed", "flood-open-again"]}, exist_ok=True)',
      'def flood(name, n):',
      '    with exp.run(variables={"run": name}) as tracker:',
      '        log, start = tracker.log_metric, time.perf_counter()',
      '        for step in range(n):',
      '            log("tick", float(step), step=step)',
      '        return n / (time.perf_counter() - start)',
      '# The latency trial starts here, so the panel can show it before the clock runs.',
      'live = exp.run(variables={"run": "latency"})',
      'live.__enter__()',
      'live.log_metric("tick", -1.0, step=0)'
    ].join('\n')
  );

  // Wait until the panel shows the running trial's first value.
  const item = page.locator(
    `.tb-ExperimentItem[data-tb-experiment="${EXPERIMENT}"]`
  );
  await expect(item).toBeVisible({ timeout: 60_000 });
  if ((await item.getAttribute('aria-expanded')) !== 'true') {
    await item.locator('.tb-ExperimentItem-row, .tb-TreeRow').first().click();
  }
  await expect(item.locator('.tb-TrialItem-metricValue').first()).toHaveText(
    '-1',
    { timeout: 60_000 }
  );

  // (a) Latency: one point every 100 ms; the page notes when each value shows.
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as any).__tbSeen = seen;
    const panel = document.querySelector('#trialbook-experiments')!;
    const record = () => {
      const now = Date.now();
      panel.querySelectorAll('.tb-TrialItem-metricValue').forEach(node => {
        const text = node.textContent ?? '';
        if (!(text in seen)) {
          seen[text] = now;
        }
      });
    };
    new MutationObserver(record).observe(panel, {
      subtree: true,
      childList: true,
      characterData: true
    });
  });
  const output = await run(
    page,
    1,
    [
      'times = {}',
      `for step in range(1, ${TICKS + 1}):`,
      '    times[step] = time.time()',
      '    live.log_metric("tick", float(step), step=step)',
      '    time.sleep(0.1)',
      'live.__exit__(None, None, None)',
      'print(json.dumps(times))'
    ].join('\n')
  );
  const times: Record<string, number> = JSON.parse(
    output.trim().split('\n').pop()!
  );
  const seen: Record<string, number> = await page.evaluate(
    () => (window as any).__tbSeen
  );
  const latencies = Object.entries(times)
    .filter(([step]) => step in seen)
    .map(([step, at]) => seen[step] - at * 1000);

  // (b) Flood with the panel open: points carried between the first and last batch.
  const before = received.points;
  const firstArrival = received.at.length;
  const openRate = lastNumber(
    await run(page, 2, `print(flood("flood-open", ${FLOOD}))`)
  );
  await expect
    .poll(() => received.points - before, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(FLOOD);
  const window = received.at.slice(firstArrival);
  const seconds = Math.max(
    0.05,
    (window[window.length - 1] - window[0]) / 1000
  );
  const carried = (received.points - before) / seconds;

  // (c) The same loop with the panel closed, then open again (alternated against drift).
  await page.sidebar.close('left');
  const closedBefore = received.points;
  const closedRate = lastNumber(
    await run(page, 3, `print(flood("flood-closed", ${FLOOD}))`)
  );
  const closedCarried = received.points - closedBefore;
  await page.sidebar.openTab('trialbook-experiments');
  const reopenRate = lastNumber(
    await run(page, 4, `print(flood("flood-open-again", ${FLOOD}))`)
  );

  const results = {
    date: new Date().toISOString(),
    quick: QUICK,
    latency_points: latencies.length,
    latency_median_ms: Math.round(percentile(latencies, 0.5)),
    latency_p95_ms: Math.round(percentile(latencies, 0.95)),
    flood_points: FLOOD,
    carried_points_per_s: Math.round(carried),
    batches: received.batches,
    seq_gaps: received.gaps,
    loop_rate_panel_open: Math.round(openRate),
    loop_rate_panel_closed: Math.round(closedRate),
    loop_rate_panel_open_again: Math.round(reopenRate),
    points_carried_while_closed: closedCarried,
    open_vs_closed: Number(
      ((openRate + reopenRate) / 2 / closedRate).toFixed(2)
    )
  };
  console.log(JSON.stringify(results, null, 2));
  fs.writeFileSync(
    testInfo.outputPath('live.json'),
    JSON.stringify(results, null, 2)
  );
  expect(latencies.length).toBeGreaterThan(TICKS / 3);
  expect(received.gaps).toBe(0);
});
