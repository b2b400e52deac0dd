/**
 * The experiment view at 10,000 trials, in a real browser, against floors
 * measured in the same page: plain JavaScript parsing and sorting the same
 * rows, and plotly drawing the same points with no app around it.
 *
 * Run with `benchmarks/ui/run.sh [--quick]` (it generates the data first).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- page-side code reads
   JupyterLab's and plotly's untyped runtime objects (app, widgets, graph divs). */
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const QUICK = !!process.env.TRIALBOOK_BENCH_QUICK;
const TABLE = 'bench-ui-table';
const CURVES = 'bench-ui-curves';
const EXPECTED_TRIALS = QUICK ? 1_000 : 10_000;
const EXPECTED_CURVES = QUICK ? 40 : 100;
const PLOTLY = path.resolve(
  __dirname,
  '..',
  '..',
  'node_modules',
  'plotly.js-dist-min',
  'plotly.min.js'
);

type Results = Record<string, number | string>;

async function openLab(page: Page): Promise<void> {
  await page.goto('/lab?reset');
  await page.waitForFunction(
    () =>
      (
        window as unknown as {
          jupyterapp?: { commands: { hasCommand(id: string): boolean } };
        }
      ).jupyterapp?.commands.hasCommand('trialbook:open-experiment'),
    null,
    { timeout: 120_000 }
  );
}

/** Open a view and time it to the first painted row; split at the data's arrival. */
async function timeFirstPaint(page: Page, name: string): Promise<Results> {
  return page.evaluate(async experiment => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const app = (window as any).jupyterapp;
    const selector = `#trialbook-experiment-${encodeURIComponent(experiment)} .tb-TrialTable-row`;
    const start = performance.now();
    void app.commands.execute('trialbook:open-experiment', {
      name: experiment
    });
    while (!document.querySelector(selector)) {
      await frame();
    }
    await frame(); // the frame that paints it
    const painted = performance.now();
    const entry = (
      performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    )
      .filter(e =>
        e.name.includes(`/experiments/${encodeURIComponent(experiment)}/trials`)
      )
      .pop()!;
    return {
      open_to_first_paint_ms: painted - start,
      data_arrived_ms: entry.responseEnd - start,
      table_after_data_ms: painted - entry.responseEnd,
      trials_request_ms: entry.responseEnd - entry.startTime,
      trials_body_bytes: entry.decodedBodySize
    };
  }, name);
}

test('experiment view: 10,000 trials and 100 long curves', async ({
  page
}, testInfo) => {
  const results: Results = { mode: QUICK ? 'quick' : 'full' };
  await openLab(page);

  // -- table: first paint --------------------------------------------------------
  Object.assign(results, await timeFirstPaint(page, TABLE));
  const view = page.locator(`#trialbook-experiment-${TABLE}`);
  await expect(view.locator('.tb-TableToolbar-count')).toContainText(
    `${EXPECTED_TRIALS.toLocaleString('en-US').replace(/,/g, '')} of ${EXPECTED_TRIALS}`.replace(
      /^(\d+)/,
      String(EXPECTED_TRIALS)
    )
  );
  results.columns =
    (await view.locator('.tb-TrialTable').getAttribute('aria-colcount')) ?? '';

  // Let the first chart finish drawing: the timings below are the table's.
  await page.waitForTimeout(2000);

  // -- sort by a metric column (scroll right to reach it: columns are virtual) ----
  Object.assign(
    results,
    await page.evaluate(async experiment => {
      const frame = () =>
        new Promise(resolve => requestAnimationFrame(resolve));
      const root = document.getElementById(
        `trialbook-experiment-${experiment}`
      )!;
      const table = root.querySelector('.tb-TrialTable') as HTMLElement;
      table.scrollLeft = table.scrollWidth;
      const headers = () =>
        [
          ...root.querySelectorAll(
            '.tb-TrialTable-header[data-column^="metrics."]'
          )
        ] as HTMLElement[];
      const header = () => headers()[headers().length - 1] ?? null;
      for (let i = 0; i < 120 && !header(); i++) {
        await frame();
      }
      const firstRow = () =>
        root
          .querySelector('.tb-TrialTable-row[aria-rowindex="1"]')
          ?.getAttribute('data-trial');
      const before = firstRow();
      const start = performance.now();
      header()!.click();
      const clicked = performance.now();
      while (firstRow() === before) {
        await frame();
      }
      await frame();
      const sorted = performance.now();
      return {
        sort_ms: sorted - start,
        sort_click_sync_ms: clicked - start,
        sort_column: header()!.dataset.column!
      };
    }, TABLE)
  );

  // -- floor: the same rows parsed and sorted in plain JavaScript -----------------
  Object.assign(
    results,
    await page.evaluate(
      async ({ experiment, column }) => {
        const url = `/trialbook/api/experiments/${encodeURIComponent(experiment)}/trials`;
        const text = await (
          await fetch(url, { credentials: 'same-origin' })
        ).text();
        const t0 = performance.now();
        const body = JSON.parse(text);
        const t1 = performance.now();
        const [, metric, stat] = column.split('.');
        const value = (row: any) => {
          const v = row.metrics?.[metric]?.[stat];
          return typeof v === 'number' ? v : NaN;
        };
        const rows = [...body.trials];
        rows.sort((a, b) => {
          const x = value(a);
          const y = value(b);
          if (Number.isNaN(x) || Number.isNaN(y)) {
            return Number.isNaN(x) === Number.isNaN(y)
              ? 0
              : Number.isNaN(x)
                ? 1
                : -1;
          }
          return x - y;
        });
        const t2 = performance.now();
        return { floor_parse_ms: t1 - t0, floor_sort_ms: t2 - t1 };
      },
      { experiment: TABLE, column: String(results.sort_column) }
    )
  );

  // -- scrolling: only the visible rows are in the DOM ------------------------------
  Object.assign(
    results,
    await page.evaluate(async experiment => {
      const frame = () =>
        new Promise<number>(resolve => requestAnimationFrame(resolve));
      const root = document.getElementById(
        `trialbook-experiment-${experiment}`
      )!;
      const table = root.querySelector('.tb-TrialTable') as HTMLElement;
      table.scrollLeft = 0;
      const times: number[] = [];
      let last = await frame();
      for (let i = 0; i < 120; i++) {
        table.scrollTop += 400;
        const now = await frame();
        times.push(now - last);
        last = now;
      }
      times.sort((a, b) => a - b);
      return {
        scroll_frame_p50_ms: times[Math.floor(times.length / 2)],
        scroll_frame_p95_ms: times[Math.floor(times.length * 0.95)],
        rows_in_dom: root.querySelectorAll('.tb-TrialTable-row').length,
        cells_in_dom: root.querySelectorAll('.tb-TrialTable-cell').length
      };
    }, TABLE)
  );

  // -- 100 curves × 10,000 steps ----------------------------------------------------
  await timeFirstPaint(page, CURVES);
  Object.assign(
    results,
    await page.evaluate(
      async ({ experiment, expected }) => {
        const frame = () =>
          new Promise(resolve => requestAnimationFrame(resolve));
        const app = (window as any).jupyterapp;
        const widget = app.shell.currentWidget;
        const root = document.getElementById(
          `trialbook-experiment-${experiment}`
        )!;
        const plot = () =>
          root.querySelector('.tb-MetricChart .js-plotly-plot') as any;
        const names: string[] = widget.model.rows.map((row: any) => row.name);
        // Start from the default chart (the first 20 trials) fully drawn.
        while (
          (plot()?.data ?? []).filter((t: any) => t.meta?.role === 'trial')
            .length !== 20
        ) {
          await frame();
        }
        const drawn = () =>
          (plot()?.data ?? []).filter((t: any) => t.meta?.role === 'trial')
            .length === expected && !!plot()?._fullLayout;
        performance.clearMeasures('trialbook:plotly-react');
        const start = performance.now();
        widget.model.setSelection(names);
        while (!drawn()) {
          await frame();
        }
        await frame();
        const end = performance.now();
        const entry = (
          performance.getEntriesByType(
            'resource'
          ) as PerformanceResourceTiming[]
        )
          .filter(e => e.name.includes('/trialbook/api/metrics'))
          .pop()!;
        const reacts = performance
          .getEntriesByName('trialbook:plotly-react')
          .map(
            e => `${Math.round(e.startTime - start)}+${Math.round(e.duration)}`
          )
          .join(' ');
        const traces = plot().data.filter((t: any) => t.meta?.role === 'trial');
        (window as any).__benchTraces = traces.map((t: any) => ({
          x: t.x,
          y: t.y
        }));
        return {
          curves: traces.length,
          curve_points_drawn: traces.reduce(
            (n: number, t: any) => n + t.x.length,
            0
          ),
          curves_select_to_drawn_ms: end - start,
          curves_series_request_ms: entry.responseEnd - entry.startTime,
          curves_after_data_ms: end - entry.responseEnd,
          curves_request_started_ms: entry.startTime - start,
          curves_plotly_react_calls: reacts
        };
      },
      { experiment: CURVES, expected: EXPECTED_CURVES }
    )
  );

  // -- floor: plotly alone, the same points (and the raw points, undecimated) -----
  await page.addScriptTag({ path: PLOTLY });
  Object.assign(
    results,
    await page.evaluate(
      async ({ steps }) => {
        const frame = () =>
          new Promise(resolve => requestAnimationFrame(resolve));
        const Plotly = (window as any).Plotly;
        const div = document.createElement('div');
        div.style.cssText =
          'position:fixed;left:0;top:0;width:1200px;height:500px;z-index:10000;background:white';
        document.body.appendChild(div);
        const draw = async (traces: { x: number[]; y: number[] }[]) => {
          const start = performance.now();
          await Plotly.newPlot(
            div,
            traces.map(t => ({
              type: 'scattergl',
              mode: 'lines',
              x: t.x,
              y: t.y
            })),
            { showlegend: true }
          );
          await frame();
          const end = performance.now();
          Plotly.purge(div);
          return end - start;
        };
        const same = (window as any).__benchTraces as {
          x: number[];
          y: number[];
        }[];
        const floorSame = await draw(same);
        const raw = same.map((_, i) => {
          const x = new Array(steps);
          const y = new Array(steps);
          for (let s = 0; s < steps; s++) {
            x[s] = s;
            y[s] =
              (1 + i / same.length) / (1 + s / 500) +
              0.02 * Math.sin(s * 0.05 + i);
          }
          return { x, y };
        });
        const floorRaw = await draw(raw);
        div.remove();
        return {
          floor_plotly_same_points_ms: floorSame,
          floor_plotly_raw_points_ms: floorRaw,
          raw_points: same.length * steps
        };
      },
      { steps: QUICK ? 2_000 : 10_000 }
    )
  );

  const ratio = (a: string, b: string) =>
    Number(results[a]) / Number(results[b]);
  results.ratio_table_after_data_vs_floor_parse_sort = ratio(
    'table_after_data_ms',
    'floor_parse_ms'
  );
  results.ratio_sort_vs_floor_sort = ratio('sort_ms', 'floor_sort_ms');
  results.ratio_curves_after_data_vs_floor_plotly = ratio(
    'curves_after_data_ms',
    'floor_plotly_same_points_ms'
  );
  for (const [key, value] of Object.entries(results)) {
    if (typeof value === 'number') {
      results[key] = Math.round(value * 10) / 10;
    }
  }
  const text = JSON.stringify(results, null, 2);
  console.log(text);
  fs.writeFileSync(testInfo.outputPath('results.json'), text);
  expect(Number(results.rows_in_dom)).toBeLessThan(100);
});
