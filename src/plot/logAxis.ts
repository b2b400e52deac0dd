/**
 * Log-scale axes for charts plotly cannot log itself (parallel coordinates):
 * values are drawn as log10, ticks at powers of ten labelled with the values,
 * and brushes travel between the two scales.
 */

/** Variable names declared as `Range(..., scale="log")` in the experiment. */
export function logScaleVariables(
  variables: Record<string, unknown> | null | undefined
): Set<string> {
  const names = new Set<string>();
  for (const [name, description] of Object.entries(variables ?? {})) {
    const scale = (description as { scale?: unknown } | null)?.scale;
    if (scale === 'log') {
      names.add(name);
    }
  }
  return names;
}

/** log10 of a positive finite value; NaN (drawn as missing) otherwise. */
export function toLog(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.log10(value) : NaN;
}

export function fromLog(exponent: number): number {
  return Math.pow(10, exponent);
}

/** Ticks at each power of ten the (log10) values span, labelled with the value. */
export function logTicks(exponents: readonly number[]): {
  tickvals: number[];
  ticktext: string[];
} {
  const finite = exponents.filter(Number.isFinite);
  if (!finite.length) {
    return { tickvals: [], ticktext: [] };
  }
  const low = Math.floor(Math.min(...finite));
  const high = Math.ceil(Math.max(...finite));
  const tickvals: number[] = [];
  for (let power = low; power <= high; power++) {
    tickvals.push(power);
  }
  return { tickvals, ticktext: tickvals.map(formatPower) };
}

/** 10^k as people write it: 0.001, 1, 100, 1e-5, 1e+6. */
function formatPower(power: number): string {
  return power >= -3 && power <= 4
    ? String(fromLog(power).toFixed(Math.max(0, -power)))
    : `1e${power > 0 ? '+' : ''}${power}`;
}
