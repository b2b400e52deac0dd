/**
 * Pure helpers for metric curves: smoothing and group statistics. Shared by
 * the experiment view and (later) the inline notebook charts.
 */

/** One line on a metric chart. */
export interface ICurve {
  /** Trace id: the trial (or component) name. */
  id: string;
  /** What hover shows. */
  label: string;
  x: number[];
  /** `null` for a gap (NaN or a missing point). */
  y: (number | null)[];
  /** The group it belongs to when grouping by a variable. */
  group?: string;
  /** The series was downsampled by the server. */
  downsampled?: boolean;
}

/** Mean line and min–max band of a group, on a shared x grid. */
export interface ICurveGroup {
  group: string;
  count: number;
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
  /** The 95% confidence interval of the mean (the mean itself where one curve is present). */
  ciLow: number[];
  ciHigh: number[];
}

/** Student's t two-sided 95% critical values for 1–30 degrees of freedom. */
const T_975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622,
  2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093,
  2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452,
  2.0423
];

/**
 * The t quantile for a two-sided 95% interval with `df` degrees of freedom:
 * the table up to 30, then the Cornish–Fisher expansion around the normal
 * quantile (within 1e-4 beyond 30).
 */
export function tCritical95(df: number): number {
  if (df < 1) {
    return NaN;
  }
  if (df <= T_975.length) {
    return T_975[Math.round(df) - 1];
  }
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
}

/**
 * Exponential moving average, debiased like TensorBoard's smoothing so the
 * first points are not dragged towards zero. `weight` in [0, 1).
 */
export function smooth(
  values: (number | null)[],
  weight: number
): (number | null)[] {
  if (weight <= 0) {
    return values;
  }
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || !Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    last = last * weight + (1 - weight) * value;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

/** The value of a curve at `x` by linear interpolation; null outside it. */
function interpolate(
  curve: ICurve,
  x: number,
  hint: { index: number }
): number | null {
  const xs = curve.x;
  if (!xs.length || x < xs[0] || x > xs[xs.length - 1]) {
    return null;
  }
  let i = hint.index;
  while (i < xs.length - 1 && xs[i + 1] <= x) {
    i++;
  }
  hint.index = i;
  const y0 = curve.y[i];
  if (xs[i] === x || i === xs.length - 1) {
    return y0;
  }
  const y1 = curve.y[i + 1];
  if (y0 === null || y1 === null) {
    return null;
  }
  const t = (x - xs[i]) / (xs[i + 1] - xs[i]);
  return y0 + t * (y1 - y0);
}

/**
 * Group curves by `curve.group`: on the union of their x values (at most
 * `maxPoints`), the mean, minimum and maximum of the curves present there.
 */
export function groupCurves(curves: ICurve[], maxPoints = 2000): ICurveGroup[] {
  const groups = new Map<string, ICurve[]>();
  for (const curve of curves) {
    const key = curve.group ?? '';
    const list = groups.get(key) ?? [];
    list.push(curve);
    groups.set(key, list);
  }
  const result: ICurveGroup[] = [];
  for (const [group, members] of groups) {
    const allX = new Set<number>();
    for (const curve of members) {
      for (const x of curve.x) {
        allX.add(x);
      }
    }
    let grid = [...allX].sort((a, b) => a - b);
    if (grid.length > maxPoints) {
      const stride = grid.length / maxPoints;
      grid = Array.from(
        { length: maxPoints },
        (_, i) => grid[Math.floor(i * stride)]
      );
    }
    const hints = members.map(() => ({ index: 0 }));
    const x: number[] = [];
    const mean: number[] = [];
    const min: number[] = [];
    const max: number[] = [];
    const ciLow: number[] = [];
    const ciHigh: number[] = [];
    for (const gx of grid) {
      let sum = 0;
      let squares = 0;
      let n = 0;
      let low = Infinity;
      let high = -Infinity;
      members.forEach((curve, k) => {
        const value = interpolate(curve, gx, hints[k]);
        if (value !== null && Number.isFinite(value)) {
          sum += value;
          squares += value * value;
          n++;
          low = Math.min(low, value);
          high = Math.max(high, value);
        }
      });
      if (n) {
        const average = sum / n;
        // Sample variance (ddof 1), clamped against rounding below zero.
        const variance =
          n > 1 ? Math.max(0, (squares - n * average * average) / (n - 1)) : 0;
        const half = n > 1 ? tCritical95(n - 1) * Math.sqrt(variance / n) : 0;
        x.push(gx);
        mean.push(average);
        min.push(low);
        max.push(high);
        ciLow.push(average - half);
        ciHigh.push(average + half);
      }
    }
    result.push({
      group,
      count: members.length,
      x,
      mean,
      min,
      max,
      ciLow,
      ciHigh
    });
  }
  return result.sort((a, b) =>
    a.group.localeCompare(b.group, undefined, { numeric: true })
  );
}

/** Points per trace: about two per horizontal pixel, within the chart's budget. */
export function pointsPerTrace(
  plotWidth: number,
  traces: number,
  options: { perTrace?: number; perChart?: number; zoom?: number } = {}
): number {
  const perTrace = options.perTrace ?? 2000;
  const perChart = options.perChart ?? 200_000;
  const zoom = Math.max(1, options.zoom ?? 1);
  const wanted = Math.round(Math.max(100, 2 * plotWidth) * zoom);
  const cap = Math.min(
    zoom > 1 ? 100_000 : perTrace,
    Math.floor(perChart / Math.max(1, traces))
  );
  return Math.max(10, Math.min(wanted, cap));
}
