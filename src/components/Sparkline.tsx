import * as React from 'react';

/**
 * A tiny inline line chart of a metric's recent values (no axes, no plotly).
 * Non-finite values are skipped.
 */
export function Sparkline(props: {
  values: readonly number[];
  width?: number;
  height?: number;
  label: string;
}): JSX.Element | null {
  const { values, width = 56, height = 16, label } = props;
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) {
    return null;
  }
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const pad = 1.5;
  const points = finite
    .map((value, i) => {
      const x = pad + (i / (finite.length - 1)) * (width - 2 * pad);
      const y = height - pad - ((value - min) / span) * (height - 2 * pad);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const [lastX, lastY] = points.split(' ').pop()!.split(',');
  return (
    <svg
      className="tb-Sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <polyline className="tb-Sparkline-line" points={points} />
      <circle className="tb-Sparkline-dot" cx={lastX} cy={lastY} r={1.8} />
    </svg>
  );
}
