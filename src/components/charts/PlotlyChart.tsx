/**
 * The one place that talks to plotly.js: lazy-loads it, draws with
 * `Plotly.react` in an effect, resizes on request and purges on unmount
 * (which frees its WebGL contexts).
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { loadPlotly, Plotly } from '../../plot/plotly';

type PlotData = Record<string, unknown>;

/** The plotly graph div with the fields we read back. */
export interface IPlotElement extends HTMLDivElement {
  data?: PlotData[];
  layout?: Record<string, unknown>;
  on?(event: string, handler: (payload: unknown) => void): void;
  removeAllListeners?(event: string): void;
}

export interface IPlotlyChartProps {
  data: PlotData[];
  layout: Record<string, unknown>;
  className?: string;
  /** Fired when the panel holding the chart resized or was shown. */
  resized?: ISignal<unknown, void> | null;
  /** plotly event name → handler (e.g. plotly_relayout, plotly_restyle, plotly_click). */
  events?: Record<string, (payload: unknown, element: IPlotElement) => void>;
  /** Extra attributes for tests and assistive tech. */
  label?: string;
  /** Called after each draw (e.g. to capture the picture). */
  onDrawn?(element: IPlotElement): void;
}

export function PlotlyChart(props: IPlotlyChartProps): JSX.Element {
  const ref = React.useRef<IPlotElement>(null);
  const plotly = React.useRef<Plotly | null>(null);
  const [ready, setReady] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const events = React.useRef(props.events);
  events.current = props.events;
  const onDrawn = React.useRef(props.onDrawn);
  onDrawn.current = props.onDrawn;

  React.useEffect(() => {
    let alive = true;
    loadPlotly().then(
      module => {
        if (alive) {
          plotly.current = module;
          setReady(true);
        }
      },
      reason => alive && setError(String(reason))
    );
    return () => {
      alive = false;
      if (ref.current && plotly.current) {
        plotly.current.purge(ref.current);
      }
    };
  }, []);

  React.useEffect(() => {
    const element = ref.current;
    const module = plotly.current;
    if (!ready || !element || !module) {
      return;
    }
    // Marks let benchmarks separate plotly's drawing from the app's work.
    const started = performance.now();
    void (
      module.react(
        element,
        props.data as never,
        props.layout as never,
        {
          displaylogo: false,
          responsive: false,
          modeBarButtonsToRemove: ['sendDataToCloud', 'lasso2d', 'select2d']
        } as never
      ) as Promise<unknown>
    ).then(() => {
      performance.measure('trialbook:plotly-react', {
        start: started,
        end: performance.now()
      });
      onDrawn.current?.(element);
      if (!element.removeAllListeners || !element.on) {
        return;
      }
      for (const name of Object.keys(events.current ?? {})) {
        element.removeAllListeners(name);
        element.on(name, payload => events.current?.[name]?.(payload, element));
      }
    });
  }, [ready, props.data, props.layout]);

  React.useEffect(() => {
    const signal = props.resized;
    if (!signal) {
      return;
    }
    const slot = () => {
      const element = ref.current;
      if (element && plotly.current && element.offsetParent !== null) {
        void plotly.current.Plots.resize(element);
      }
    };
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [props.resized]);

  return (
    <div className={`tb-PlotlyChart ${props.className ?? ''}`}>
      {error && <div className="tb-PlotlyChart-error">{error}</div>}
      <div ref={ref} className="tb-PlotlyChart-plot" aria-label={props.label} />
    </div>
  );
}
