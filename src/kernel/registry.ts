import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';
import { IChangedArgs } from '@jupyterlab/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { ILiveUpdate, ITrialbookBridge } from '../tokens';
import { KernelBridge } from './bridge';

/**
 * One `KernelBridge` per kernel connection of every watched notebook and
 * console, following kernel changes and releasing bridges nobody uses.
 */
export class TrialbookBridge implements ITrialbookBridge {
  get received(): ISignal<this, ILiveUpdate> {
    return this._received;
  }

  get connectedKernels(): number {
    let count = 0;
    for (const entry of this._bridges.values()) {
      count += entry.bridge.connected ? 1 : 0;
    }
    return count;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow a notebook's or console's session until it is disposed. */
  watch(sessionContext: ISessionContext): void {
    if (this._isDisposed || this._watched.has(sessionContext)) {
      return;
    }
    this._watched.add(sessionContext);
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.disposed.connect(this._onSessionDisposed, this);
    const kernel = sessionContext.session?.kernel;
    if (kernel) {
      this._retain(kernel);
      this._kernels.set(sessionContext, kernel);
    }
  }

  /** Stop following a session (its kernel's bridge goes when nobody uses it). */
  unwatch(sessionContext: ISessionContext): void {
    if (!this._watched.delete(sessionContext)) {
      return;
    }
    sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
    sessionContext.disposed.disconnect(this._onSessionDisposed, this);
    const kernel = this._kernels.get(sessionContext);
    this._kernels.delete(sessionContext);
    if (kernel) {
      this._release(kernel);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    for (const sessionContext of [...this._watched]) {
      this.unwatch(sessionContext);
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _onKernelChanged(
    sessionContext: ISessionContext,
    change: IChangedArgs<
      Kernel.IKernelConnection | null,
      Kernel.IKernelConnection | null,
      'kernel'
    >
  ): void {
    const previous = this._kernels.get(sessionContext);
    if (previous) {
      this._release(previous);
      this._kernels.delete(sessionContext);
    }
    if (change.newValue) {
      this._retain(change.newValue);
      this._kernels.set(sessionContext, change.newValue);
    }
  }

  private _onSessionDisposed(sessionContext: ISessionContext): void {
    this.unwatch(sessionContext);
  }

  private _retain(kernel: Kernel.IKernelConnection): void {
    const entry = this._bridges.get(kernel);
    if (entry) {
      entry.users += 1;
      return;
    }
    const bridge = new KernelBridge(kernel);
    bridge.received.connect(this._forward, this);
    this._bridges.set(kernel, { bridge, users: 1 });
    kernel.disposed.connect(this._onKernelDisposed, this);
  }

  private _release(kernel: Kernel.IKernelConnection): void {
    const entry = this._bridges.get(kernel);
    if (!entry) {
      return;
    }
    entry.users -= 1;
    if (entry.users <= 0) {
      this._drop(kernel);
    }
  }

  private _onKernelDisposed(kernel: Kernel.IKernelConnection): void {
    this._drop(kernel);
  }

  private _drop(kernel: Kernel.IKernelConnection): void {
    const entry = this._bridges.get(kernel);
    if (!entry) {
      return;
    }
    this._bridges.delete(kernel);
    kernel.disposed.disconnect(this._onKernelDisposed, this);
    entry.bridge.received.disconnect(this._forward, this);
    entry.bridge.dispose();
  }

  private _forward(_: KernelBridge, update: ILiveUpdate): void {
    this._received.emit(update);
  }

  private readonly _watched = new Set<ISessionContext>();
  private readonly _kernels = new Map<
    ISessionContext,
    Kernel.IKernelConnection
  >();
  private readonly _bridges = new Map<
    Kernel.IKernelConnection,
    { bridge: KernelBridge; users: number }
  >();
  private readonly _received = new Signal<this, ILiveUpdate>(this);
  private _isDisposed = false;
}
