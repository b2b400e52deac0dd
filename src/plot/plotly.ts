/**
 * The one way to get plotly.js: imported on first use so its 4 MB land in a
 * chunk of their own and never slow JupyterLab's start-up.
 */

export type Plotly = typeof import('plotly.js-dist-min');

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  if (!loading) {
    loading = import('plotly.js-dist-min').then(
      module => (module as unknown as { default?: Plotly }).default ?? module
    );
    // A failed load (e.g. a network hiccup) may be retried.
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
