/**
 * The windowed trial table at 100,000 trials × 20 parameters × 5 metrics
 * (`bench-ui-big`; 3,000 with --quick), in a real browser: the view reads
 * windows of rows the server sorted and filtered, never the whole table.
 *
 * Measured from the user's action to the frame that paints the answer:
 * - opening the view → first rows painted (target ≤ 1 s);
 * - a header click → rows in the new order (≤ 300 ms);
 * - a query typed and entered → matching rows (≤ 300 ms);
 * - the scrollbar jumped to the middle and to the end → rows there (≤ 200 ms).
 *
 * Run with `benchmarks/ui/run.sh [--quick]` (it generates the data first).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- page-side code reads
   JupyterLab's untyped runtime objects. */
import { expect, Page, test } from '@playwright/test';

const QUICK = !!process.env.TRIALBOOK_BENCH_QUICK;
const BIG = 'bench-ui-big';
const EXPECTED = QUICK ? 3_000 : 100_000;
/** Pause between phases so that one's trailing work does not time the next. */
const SETTLE_MS = QUICK ? 300 : 1500;
// Pauses between steps, so one step's requests do not overlap the next.
const PAUSE_MS = QUICK ? 100 : 500;
const TARGETS: Record<string, number> = {
  open_to_first_rows_ms: 1000,
  reopen_to_first_rows_ms: 1000,
  sort_round_trip_ms: 300,
  query_round_trip_ms: 300,
  jump_middle_ms: 200,
  jump_end_ms: 200,
  jump_middle_sorted_ms: 200,
  jump_end_sorted_ms: 200
};

async function openLab(page: Page): Promise<void> {
  await page.goto('/lab?reset');
  await page.waitForFunction(
    () =>
      (window as any).jupyterapp?.commands.hasCommand(
        'trialbook:open-experiment'
      ),
    null,
    { timeout: 120_000 }
  );
}

/**
 * Time from `act` (run in the page) to the frame after `done` holds, with the
 * Trialbook requests made meanwhile (`start+duration` ms, relative to `act`):
 * what the server took and what the page did.
 */
async function timed(
  page: Page,
  act: string,
  done: string
): Promise<{ ms: number; requests: string }> {
  return page.evaluate(
    async ({ act, done, experiment }) => {
      const frame = () =>
        new Promise(resolve => requestAnimationFrame(resolve));
      const root = () =>
        document.getElementById(`trialbook-experiment-${experiment}`);
      const app = (window as any).jupyterapp;
      const state: Record<string, unknown> = {};
      const run = new Function('root', 'app', 'state', act);
      const check = new Function('root', 'app', 'state', done);
      const start = performance.now();
      run(root(), app, state);
      for (let i = 0; i < 3000 && !check(root(), app, state); i++) {
        await frame();
      }
      await frame(); // the frame that paints it
      const end = performance.now();
      const requests = (
        performance.getEntriesByType('resource') as PerformanceResourceTiming[]
      )
        .filter(e => e.name.includes('/trialbook/') && e.startTime >= start)
        .map(e => {
          const url = new URL(e.name);
          const path = url.pathname.replace(/.*\/trialbook\/api\//, '');
          const query = ['sort', 'offset', 'limit', 'q']
            .filter(key => url.searchParams.has(key))
            .map(key => `${key}=${url.searchParams.get(key)}`)
            .join('&');
          return `${path}${query ? '?' + query : ''} ${Math.round(e.startTime - start)}+${Math.round(e.duration)}`;
        })
        .join('; ');
      return { ms: end - start, requests };
    },
    { act, done, experiment: BIG }
  );
}

/** The trial name in the first painted row, and whether rows wait for data. */
const FIRST_ROW = `root?.querySelector('.tb-TrialTable-row[data-trial]')?.getAttribute('data-trial')`;
const ROWS_AT = (index: string) => `(() => {
  const rows = [...(root?.querySelectorAll('.tb-TrialTable-row[aria-rowindex]') ?? [])];
  const at = rows.filter(r => Math.abs(Number(r.getAttribute('aria-rowindex')) - (${index})) < 10);
  return at.length > 0 && at.every(r => r.hasAttribute('data-trial'));
})()`;

test(`windowed table: ${EXPECTED.toLocaleString('en-US')} trials`, async ({
  page
}, testInfo) => {
  const results: Record<string, number | string> = {
    mode: QUICK ? 'quick' : 'full',
    trials: EXPECTED
  };
  await openLab(page);
  // JupyterLab loads hundreds of files: keep every request's timing.
  await page.evaluate(() => performance.setResourceTimingBufferSize(100_000));

  const opened = await timed(
    page,
    `app.commands.execute('trialbook:open-experiment', { name: '${BIG}' });`,
    `return !!${FIRST_ROW};`
  );
  results.open_to_first_rows_ms = opened.ms;
  results.open_requests = opened.requests;
  const view = page.locator(`#trialbook-experiment-${BIG}`);
  await expect(view.locator('.tb-TableToolbar-count')).toContainText(
    `${EXPECTED} of ${EXPECTED} trials`
  );
  await page.waitForTimeout(SETTLE_MS); // let the charts settle: the timings are the table's

  // Open it again: the server's first read of an experiment warms caches (its
  // columns); a second opening is what a user sees from then on.
  await page.evaluate(id => {
    const app = (window as any).jupyterapp;
    [...app.shell.widgets('main')].find((w: any) => w.id === id)?.close();
  }, `trialbook-experiment-${BIG}`);
  await page.waitForTimeout(PAUSE_MS);
  const reopened = await timed(
    page,
    `app.commands.execute('trialbook:open-experiment', { name: '${BIG}' });`,
    `return !!${FIRST_ROW};`
  );
  results.reopen_to_first_rows_ms = reopened.ms;
  results.reopen_requests = reopened.requests;
  await expect(view.locator('.tb-TableToolbar-count')).toContainText(
    `${EXPECTED} of ${EXPECTED} trials`
  );
  await page.waitForTimeout(SETTLE_MS);

  // Sort by the objective column (a metric summary in SQL) from its header.
  const sorted = await timed(
    page,
    `state.before = ${FIRST_ROW};
     root.querySelector('.tb-TrialTable-header[data-column="objective_value"]').click();`,
    `return ${FIRST_ROW} !== state.before;`
  );
  results.sort_round_trip_ms = sorted.ms;
  results.sort_requests = sorted.requests;
  await page.waitForTimeout(PAUSE_MS);

  // A query on a parameter and a metric, typed and entered in the bar.
  const bar = view.locator('.tb-QueryBar-input');
  await bar.fill('p3 < 0.5 and metrics.m1.last > 0.25');
  await bar.press('Escape'); // close the completion: Enter then runs the query
  const queried = await timed(
    page,
    `state.before = root.querySelector('.tb-TableToolbar-count').textContent;
     const input = root.querySelector('.tb-QueryBar-input');
     input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`,
    `const text = root.querySelector('.tb-TableToolbar-count').textContent;
     return text !== state.before && !text.startsWith('${EXPECTED} of') && !!${FIRST_ROW};`
  );
  results.query_round_trip_ms = queried.ms;
  results.query_requests = queried.requests;
  results.query_matches =
    (await view.locator('.tb-TableToolbar-count').textContent()) ?? '';
  await bar.fill('');
  await bar.press('Escape');
  await bar.press('Enter');
  await expect(view.locator('.tb-TableToolbar-count')).toContainText(
    `${EXPECTED} of ${EXPECTED} trials`
  );
  await page.waitForTimeout(PAUSE_MS);

  // Jump the scrollbar to the middle, then to the end: sorted by the objective
  // (as left above), then in creation order (no sort).
  const jumps = [
    ['jump_middle_sorted_ms', 0.5],
    ['jump_end_sorted_ms', 1],
    ['unsort', 0],
    ['jump_middle_ms', 0.5],
    ['jump_end_ms', 1]
  ] as const;
  for (const [label, where] of jumps) {
    if (label === 'unsort') {
      const header = view.locator(
        '.tb-TrialTable-header[data-column="objective_value"]'
      );
      await header.click(); // descending
      await header.click(); // creation order
      await expect(header).toHaveAttribute('aria-sort', 'none');
      await page.waitForTimeout(SETTLE_MS / 2);
      continue;
    }
    const jump = await timed(
      page,
      `const table = root.querySelector('.tb-TrialTable');
       table.scrollTop = (table.scrollHeight - table.clientHeight) * ${where};
       state.index = Math.min(${EXPECTED}, Math.floor(table.scrollTop / 26) + 5);`,
      `return ${ROWS_AT('state.index')};`
    );
    results[label] = jump.ms;
    results[label.replace('_ms', '_requests')] = jump.requests;
    await page.waitForTimeout(QUICK ? 100 : 300);
  }
  results.rows_in_dom = await view.locator('.tb-TrialTable-row').count();
  const requests = await page.evaluate(experiment => {
    const entries = (
      performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    ).filter(e =>
      e.name.includes(`/experiments/${encodeURIComponent(experiment)}/trials`)
    );
    return {
      requests: entries.length,
      largest_response_kb: Math.round(
        Math.max(...entries.map(e => e.encodedBodySize)) / 1024
      )
    };
  }, BIG);
  Object.assign(results, requests);

  for (const [key, target] of Object.entries(TARGETS)) {
    results[`${key}_target`] = target;
  }
  console.log(JSON.stringify(results, null, 2));
  for (const [key, target] of Object.entries(TARGETS)) {
    console.log(
      `${key.padEnd(24)} ${Math.round(Number(results[key]))} ms (target ≤ ${target} ms${QUICK ? '; quick smoke run, not judged' : ''})`
    );
  }
  await testInfo.attach('results.json', {
    body: JSON.stringify(results, null, 2),
    contentType: 'application/json'
  });
});
