import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render the component whenever any of the given signals fires. */
export function useSignals(...signals: ISignal<unknown, unknown>[]): void {
  const [, bump] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const slot = () => bump();
    for (const signal of signals) {
      signal.connect(slot);
    }
    return () => {
      for (const signal of signals) {
        signal.disconnect(slot);
      }
    };
  }, signals);
}
