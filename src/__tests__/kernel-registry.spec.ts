import { ISessionContext } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';

import { TrialbookBridge } from '../kernel/registry';
import { FakeKernel, settle } from './fakes';

/** The parts of a session context the registry follows. */
class FakeSessionContext {
  kernel: FakeKernel | null = null;
  readonly kernelChanged = new Signal<this, unknown>(this);
  readonly disposed = new Signal<this, void>(this);
  get session() {
    return this.kernel ? { kernel: this.kernel.asConnection() } : null;
  }
  changeKernel(kernel: FakeKernel | null): void {
    const oldValue = this.kernel;
    this.kernel = kernel;
    this.kernelChanged.emit({
      name: 'kernel',
      oldValue: oldValue?.asConnection() ?? null,
      newValue: kernel?.asConnection() ?? null
    });
  }
  asContext(): ISessionContext {
    return this as unknown as ISessionContext;
  }
}

describe('TrialbookBridge', () => {
  it('follows kernel changes: the old kernel is released, the new one registered', async () => {
    const registry = new TrialbookBridge();
    const context = new FakeSessionContext();
    registry.watch(context.asContext());

    const first = new FakeKernel();
    context.changeKernel(first);
    expect(first.targets.has('trialbook')).toBe(true);

    const second = new FakeKernel();
    second.id = 'kernel-2';
    context.changeKernel(second);
    expect(first.targets.has('trialbook')).toBe(false);
    expect(second.targets.has('trialbook')).toBe(true);
    await settle();
    registry.dispose();
  });

  it('keeps a kernel shared by a notebook and a console until both are gone', () => {
    const registry = new TrialbookBridge();
    const kernel = new FakeKernel();
    const notebook = new FakeSessionContext();
    const consolePanel = new FakeSessionContext();
    notebook.kernel = kernel;
    consolePanel.kernel = kernel;
    registry.watch(notebook.asContext());
    registry.watch(consolePanel.asContext());

    notebook.disposed.emit();
    expect(kernel.targets.has('trialbook')).toBe(true);
    consolePanel.disposed.emit();
    expect(kernel.targets.has('trialbook')).toBe(false);
  });

  it('forwards what every kernel delivers', async () => {
    const registry = new TrialbookBridge();
    const context = new FakeSessionContext();
    const kernel = new FakeKernel();
    context.kernel = kernel;
    registry.watch(context.asContext());
    const kernels: string[] = [];
    registry.received.connect((_, update) => kernels.push(update.kernelId));
    await settle();
    kernel.comms[0].receive({
      type: 'hello',
      protocol: 1,
      session: 's',
      seq: 0,
      library_version: '',
      store: ''
    });
    expect(kernels).toEqual(['kernel-1']);
    registry.dispose();
  });
});
