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
const EXPECTED_CURVES = QUICK ? 25 : 100;
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

/**
 * Open a view and time it to the first painted row, split at the arrival of
 * the first `/trials` response (the first page); then wait for the whole table.
 */
async function timeFirstPaint(page: Page, name: string): Promise<Results> {
  return page.evaluate(async experiment => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const app = (window as any).jupyterapp;
    const id = `trialbook-experiment-${encodeURIComponent(experiment)}`;
    const selector = `#${id} .tb-TrialTable-row`;
    const start = performance.now();
    void app.commands.execute('trialbook:open-experiment', {
      name: experiment
    });
    while (!document.querySelector(selector)) {
      await frame();
    }
    await frame(); // the frame that paints it
    const painted = performance.now();
    const widget = () =>
      [...app.shell.widgets('main')].find((w: any) => w.id === id);
    while (widget()?.model?.querying) {
      await frame();
    }
    const loadedAll = performance.now();
    const entries = (
      performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    ).filter(e =>
      e.name.includes(`/experiments/${encodeURIComponent(experiment)}/trials`)
    );
    const first = entries.find(e => e.responseEnd >= start)!;
    const whole =
      entries.filter(e => !e.name.includes('limit=')).pop() ?? first;
    return {
      open_to_first_paint_ms: painted - start,
      data_arrived_ms: first.responseEnd - start,
      table_after_data_ms: painted - first.responseEnd,
      first_request_rows: first.name.includes('limit=') ? 'page' : 'all',
      first_request_ms: first.responseEnd - first.startTime,
      first_body_bytes: first.decodedBodySize,
      open_to_all_rows_ms: loadedAll - start,
      trials_request_ms: whole.responseEnd - whole.startTime,
      trials_body_bytes: whole.decodedBodySize
    };
  }, name);
}

/** The functions with the most self time in a CPU profile, as "ms name (file:line)". */
function topFunctions(profile: any, count: number): string {
  const interval = new Map<number, number>();
  const deltas: number[] = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id: number, i: number) => {
    interval.set(id, (interval.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const file = String(frame.url).split('/').pop();
    const key = `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber})`;
    byName.set(key, (byName.get(key) ?? 0) + (interval.get(node.id) ?? 0));
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${Math.round(ms)} ${name}`)
    .join(' | ');
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
  await page.waitForTimeout(QUICK ? 500 : 2000);

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
    await page.evaluate(
      async ({ experiment, frames }) => {
        const frame = () =>
          new Promise<number>(resolve => requestAnimationFrame(resolve));
        const root = document.getElementById(
          `trialbook-experiment-${experiment}`
        )!;
        const table = root.querySelector('.tb-TrialTable') as HTMLElement;
        table.scrollLeft = 0;
        const times: number[] = [];
        let last = await frame();
        for (let i = 0; i < frames; i++) {
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
      },
      { experiment: TABLE, frames: QUICK ? 40 : 120 }
    )
  );

  // -- 100 curves × 10,000 steps ----------------------------------------------------
  await timeFirstPaint(page, CURVES);
  // A CPU profile of the phase below says where the main thread's time goes
  // (saved beside results.json; `profile_top` lists the heaviest functions).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  // Start from the default chart (the first 20 trials) fully drawn.
  await page.evaluate(async experiment => {
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    const root = document.getElementById(`trialbook-experiment-${experiment}`)!;
    const traces = () =>
      (
        (root.querySelector('.tb-MetricChart .js-plotly-plot') as any)?.data ??
        []
      ).filter((t: any) => t.meta?.role === 'trial').length;
    while (traces() !== 20) {
      await frame();
    }
    for (let i = 0; i < 30; i++) {
      await frame();
    }
  }, CURVES);
  await cdp.send('Profiler.start');
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
        const names: string[] = widget.model.loader
          .loadedRows()
          .map((row: any) => row.name);
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
        const afterplots: number[] = [];
        plot().on('plotly_afterplot', () => afterplots.push(performance.now()));
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
        const since = (name: string) =>
          performance
            .getEntriesByName(name)
            .filter(e => e.startTime >= start)
            .map(
              e =>
                `${Math.round(e.startTime - start)}+${Math.round(e.duration)}`
            )
            .join(' ');
        const marks = {
          curves_marks_fetch: since('trialbook:curves-fetch'),
          curves_marks_shape: since('trialbook:curves-shape'),
          curves_marks_traces: since('trialbook:curves-traces')
        };
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
          curves_plotly_react_calls: reacts,
          curves_afterplots: afterplots
            .map(t => Math.round(t - start))
            .join(' '),
          curves_plot_size: `${plot().clientWidth}x${plot().clientHeight}`,
          curves_trace_type: String(traces[0]?.type),
          ...marks
        };
      },
      { experiment: CURVES, expected: EXPECTED_CURVES }
    )
  );

  const { profile } = (await cdp.send('Profiler.stop')) as { profile: any };
  fs.writeFileSync(
    testInfo.outputPath('curves.cpuprofile'),
    JSON.stringify(profile)
  );
  results.profile_top = topFunctions(profile, 15);

  // -- zoom: a 10% x window refetched at full detail, then reset (double-click) ----
  Object.assign(
    results,
    await page.evaluate(
      async ({ experiment, steps }) => {
        const frame = () =>
          new Promise(resolve => requestAnimationFrame(resolve));
        const root = document.getElementById(
          `trialbook-experiment-${experiment}`
        )!;
        const plot = () =>
          root.querySelector('.tb-MetricChart .js-plotly-plot') as any;
        const firstTrace = () =>
          (plot()?.data ?? []).find((t: any) => t.meta?.role === 'trial');
        const firstX = () => Number(firstTrace()?.x?.[0]);
        const inWindow = (low: number, high: number) =>
          ((firstTrace()?.x ?? []) as number[]).filter(
            v => v >= low && v <= high
          ).length;
        const windowRequests = () =>
          performance
            .getEntriesByType('resource')
            .filter(e => e.name.includes('x_min=')).length;
        const until = async (done: () => boolean) => {
          for (let i = 0; i < 1200 && !done(); i++) {
            await frame();
          }
          await frame();
          return done();
        };
        const low = Math.round(steps * 0.4);
        const high = Math.round(steps * 0.5);
        // What plotly emits after a box zoom or a double-click.
        let start = performance.now();
        plot().emit('plotly_relayout', {
          'xaxis.range[0]': low,
          'xaxis.range[1]': high
        });
        // Full detail: every step of the window drawn.
        const zoomed = await until(() => inWindow(low, high) > high - low);
        const zoomMs = performance.now() - start;
        const inView = inWindow(low, high);
        const requests = windowRequests();
        start = performance.now();
        plot().emit('plotly_relayout', { 'xaxis.autorange': true });
        // The overview again (downsampled, unless the series were short).
        const reset = await until(
          () =>
            firstX() === 0 &&
            plot().layout?.xaxis?.autorange === true &&
            (requests === 0 || inWindow(low, high) <= high - low)
        );
        return {
          zoom_refetch_drawn_ms: zoomed ? zoomMs : 'timeout',
          zoom_points_in_window_per_trace: inView,
          zoom_window_steps: high - low + 1,
          zoom_window_requests: requests,
          zoom_reset_drawn_ms: reset ? performance.now() - start : 'timeout'
        };
      },
      { experiment: CURVES, steps: QUICK ? 2_000 : 10_000 }
    )
  );

  // -- floor: plotly alone, the same points (and the raw points, undecimated) -----
  await page.addScriptTag({ path: PLOTLY });
  Object.assign(
    results,
    await page.evaluate(
      async ({ steps, type }) => {
        const frame = () =>
          new Promise(resolve => requestAnimationFrame(resolve));
        const Plotly = (window as any).Plotly;
        const div = document.createElement('div');
        div.style.cssText =
          'position:fixed;left:0;top:0;width:1200px;height:500px;z-index:10000;background:white';
        document.body.appendChild(div);
        const draw = async (
          traces: { x: number[]; y: number[] }[],
          type = 'scattergl',
          showlegend = true
        ) => {
          const start = performance.now();
          await Plotly.newPlot(
            div,
            traces.map(t => ({
              type,
              mode: 'lines',
              x: t.x,
              y: t.y
            })),
            { showlegend }
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
        // The floor draws like the app: the same trace type, no legend above
        // 20 curves. The other kinds are there to compare renderers.
        const floorSame = await draw(same, type, same.length <= 20);
        const floorGl = await draw(same, 'scattergl', false);
        const floorGlLegend = await draw(same, 'scattergl', true);
        const floorSvg = await draw(same, 'scatter', false);
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
          floor_plotly_scattergl_ms: floorGl,
          floor_plotly_scattergl_legend_ms: floorGlLegend,
          floor_plotly_svg_ms: floorSvg,
          floor_plotly_raw_points_ms: floorRaw,
          raw_points: same.length * steps
        };
      },
      { steps: QUICK ? 2_000 : 10_000, type: String(results.curves_trace_type) }
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
