import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Re-render the component whenever any of the given signals fires. The list
 * may change between renders (a model that appears later adds its signal):
 * React compares effect dependencies only up to the shorter list, so the
 * list itself, kept while its signals stay the same, is the dependency.
 */
export function useSignals(...signals: ISignal<unknown, unknown>[]): void {
  const [, bump] = React.useReducer((n: number) => n + 1, 0);
  const kept = React.useRef(signals);
  if (
    signals.length !== kept.current.length ||
    signals.some((signal, i) => signal !== kept.current[i])
  ) {
    kept.current = signals;
  }
  const current = kept.current;
  React.useEffect(() => {
    const slot = () => bump();
    for (const signal of current) {
      signal.connect(slot);
    }
    return () => {
      for (const signal of current) {
        signal.disconnect(slot);
      }
    };
  }, [current]);
}
