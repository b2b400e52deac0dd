/**
 * Plotly needs concrete colours: read them from JupyterLab's --jp-* variables
 * (re-read whenever the theme changes).
 */

export interface IPlotTheme {
  font: string;
  fontSize: number;
  fontColor: string;
  mutedColor: string;
  gridColor: string;
  lineColor: string;
  background: string;
  /** The panel's own colour, for charts that need an opaque paper (parcoords). */
  paper: string;
  hoverBackground: string;
  /** Categorical colours for traces. */
  colorway: string[];
  /** Highlight for selected points. */
  accent: string;
}

const PALETTE_VARIABLES = [
  '--jp-brand-color1',
  '--jp-warn-color1',
  '--jp-success-color1',
  '--jp-error-color1',
  '--jp-info-color1',
  '--jp-accent-color1',
  '--jp-brand-color3',
  '--jp-warn-color3',
  '--jp-success-color3',
  '--jp-error-color3'
];

const FALLBACK_PALETTE = [
  '#1976d2',
  '#f57c00',
  '#388e3c',
  '#d32f2f',
  '#0097a7',
  '#7b1fa2',
  '#64b5f6',
  '#ffb74d',
  '#81c784',
  '#e57373'
];

export function readPlotTheme(element: Element = document.body): IPlotTheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback;
  const colorway = PALETTE_VARIABLES.map((name, i) =>
    read(name, FALLBACK_PALETTE[i])
  );
  return {
    font: read('--jp-ui-font-family', 'sans-serif'),
    fontSize: parseFloat(read('--jp-ui-font-size1', '13px')) || 13,
    fontColor: read('--jp-ui-font-color1', '#222'),
    mutedColor: read('--jp-ui-font-color2', '#666'),
    gridColor: read('--jp-border-color2', '#e0e0e0'),
    lineColor: read('--jp-border-color1', '#bdbdbd'),
    background: 'rgba(0,0,0,0)',
    paper: read('--jp-layout-color1', '#fff'),
    hoverBackground: read('--jp-layout-color1', '#fff'),
    colorway,
    accent: read('--jp-brand-color0', '#0d47a1')
  };
}

/** Common layout for every Trialbook chart. */
export function baseLayout(theme: IPlotTheme): Record<string, unknown> {
  const axis = {
    gridcolor: theme.gridColor,
    linecolor: theme.lineColor,
    zerolinecolor: theme.lineColor,
    color: theme.mutedColor
  };
  return {
    paper_bgcolor: theme.background,
    plot_bgcolor: theme.background,
    font: {
      family: theme.font,
      size: theme.fontSize - 1,
      color: theme.fontColor
    },
    colorway: theme.colorway,
    hoverlabel: {
      bgcolor: theme.hoverBackground,
      bordercolor: theme.lineColor,
      font: { color: theme.fontColor, family: theme.font }
    },
    legend: { font: { color: theme.fontColor } },
    xaxis: { ...axis },
    yaxis: { ...axis },
    margin: { l: 56, r: 16, t: 24, b: 40 }
  };
}

/** A colour with transparency, for min–max bands. */
export function withAlpha(color: string, alpha: number): string {
  const hex = color.trim().match(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i);
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3) {
      digits = digits
        .split('')
        .map(d => d + d)
        .join('');
    }
    const n = parseInt(digits, 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
  }
  const rgb = color.match(/^rgba?\(([^)]+)\)$/i);
  if (rgb) {
    const [r, g, b] = rgb[1].split(',').map(part => part.trim());
    return `rgba(${r},${g},${b},${alpha})`;
  }
  return color;
}
