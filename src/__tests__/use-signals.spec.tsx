import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';
import { createRoot } from 'react-dom/client';

const { act } = React;

import { useSignals } from '../components/useSignal';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

describe('useSignals', () => {
  it('follows a signal that joins the list after the first render', () => {
    const owner = {};
    const always = new Signal<object, void>(owner);
    const later = new Signal<object, void>(owner);
    let renders = 0;
    function View(props: { signals: ISignal<unknown, unknown>[] }) {
      useSignals(...props.signals);
      renders += 1;
      return null;
    }
    const root = createRoot(document.createElement('div'));
    act(() => root.render(<View signals={[always]} />));
    // A model that appears later (an experiment the list did not know yet).
    act(() => root.render(<View signals={[always, later]} />));
    const before = renders;
    act(() => later.emit());
    expect(renders).toBe(before + 1);
    act(() => always.emit());
    expect(renders).toBe(before + 2);
    // Leaving the list disconnects it.
    act(() => root.render(<View signals={[always]} />));
    const after = renders;
    act(() => later.emit());
    expect(renders).toBe(after);
    act(() => root.unmount());
  });
});
