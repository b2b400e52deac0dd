import { Kernel, KernelMessage } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ILiveUpdate } from '../tokens';
import { FrontendMessage, PROTOCOL_VERSION, TARGET_NAME } from './protocol';
import { SequenceTracker } from './sequence';
import { parseKernelMessage } from './validate';

/** How long to wait for a kernel busy with a cell to list its comms. */
const COMM_INFO_TIMEOUT_MS = 1500;
/** How long to wait for a comm's subshell before using the main shell. */
const SUBSHELL_TIMEOUT_MS = 3000;

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The frontend's hello, as comm data. */
const HELLO = {
  type: 'hello',
  protocol: PROTOCOL_VERSION
} satisfies FrontendMessage as unknown as KernelMessage.ICommMsgMsg['content']['data'];

/**
 * The `trialbook` comm of one kernel connection (docs/protocol.md).
 *
 * Registers the comm target (so the library can open a comm), and when the
 * kernel is ready adopts the library's comm or opens one with a frontend
 * `hello` (so a reloaded page gets a snapshot). Follows restarts on its own;
 * kernel changes are the registry's business.
 */
export class KernelBridge implements IDisposable {
  constructor(kernel: Kernel.IKernelConnection) {
    this._kernel = kernel;
    kernel.registerCommTarget(TARGET_NAME, this._onCommOpen);
    kernel.statusChanged.connect(this._onStatusChanged, this);
    kernel.connectionStatusChanged.connect(this._onConnectionChanged, this);
    this._everConnected = kernel.connectionStatus === 'connected';
    void this._attach();
  }

  get kernel(): Kernel.IKernelConnection {
    return this._kernel;
  }

  /** Whether a comm to the library is open. */
  get connected(): boolean {
    return this._comms.size > 0;
  }

  /** What the kernel reported, validated and deduplicated. */
  get received(): ISignal<this, ILiveUpdate> {
    return this._received;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._attachToken += 1;
    const kernel = this._kernel;
    kernel.removeCommTarget(TARGET_NAME, this._onCommOpen);
    kernel.statusChanged.disconnect(this._onStatusChanged, this);
    kernel.connectionStatusChanged.disconnect(this._onConnectionChanged, this);
    for (const [comm, ownedByUs] of this._comms) {
      comm.onMsg = () => undefined;
      comm.onClose = () => undefined;
      // A comm the library opened is shared with every tab: closing it would
      // close it for all of them. Ours is ours alone.
      if (ownedByUs && !kernel.isDisposed && !comm.isDisposed) {
        comm.close();
      } else {
        comm.dispose();
      }
    }
    this._comms.clear();
    Signal.clearData(this);
  }

  /** Ask the library for a fresh snapshot of what this kernel is writing. */
  requestSnapshot(): void {
    const message: FrontendMessage = { type: 'snapshot_request' };
    for (const comm of this._comms.keys()) {
      if (!comm.isDisposed) {
        comm.send(
          message as unknown as KernelMessage.ICommMsgMsg['content']['data']
        );
        return;
      }
    }
  }

  /** The library opened a comm (its first announcement). */
  private _onCommOpen = (
    comm: Kernel.IComm,
    message: KernelMessage.ICommOpenMsg
  ): void => {
    if (this._isDisposed) {
      comm.close();
      return;
    }
    this._adopt(comm, false);
    this._handle(comm, message.content.data, message.buffers);
    // The kernel streams on a comm once a frontend hello arrived on it. Not
    // on this one: ipykernel routes messages on a comm to the shell that last
    // published on it - the main shell, busy with the very cell that is
    // logging - so a hello here would wait for the cell to end. Our own comm,
    // opened over a subshell, is answered at once.
    if (!this._ignored.has(comm) && !this._hasOwnComm()) {
      void this._openOwnComm();
    }
  };

  /**
   * Find the library's comm, or open one. Runs once per kernel process; a stale
   * run (the kernel restarted meanwhile) gives up.
   */
  private async _attach(): Promise<void> {
    const kernel = this._kernel;
    if (!kernel.handleComms || this._isDisposed) {
      return;
    }
    const token = ++this._attachToken;
    const stale = () => this._isDisposed || token !== this._attachToken;
    try {
      await kernel.info;
      if (stale() || this._comms.size > 0) {
        return;
      }
      // The comm info request waits behind a running cell on the main shell;
      // don't let a long training cell keep the page from going live.
      const reply = await Promise.race([
        kernel.requestCommInfo({ target_name: TARGET_NAME }),
        delay(COMM_INFO_TIMEOUT_MS).then(() => null)
      ]);
      if (stale() || this._comms.size > 0) {
        return;
      }
      const content = reply?.content;
      const known =
        content?.status === 'ok'
          ? Object.entries(content.comms)
              .filter(([, info]) => info.target_name === TARGET_NAME)
              .map(([id]) => id)
          : [];
      const existing = known.find(id => !kernel.hasComm(id));
      if (existing) {
        // The kernel answered, so it is idle: a hello on its comm is read now.
        const comm = kernel.createComm(TARGET_NAME, existing);
        this._adopt(comm, false);
        await this._sendHello(comm);
      } else {
        await this._openOwnComm();
      }
    } catch (reason) {
      if (!stale()) {
        console.warn('Trialbook: could not attach to the kernel', reason);
      }
    }
  }

  /** Whether a comm this page opened is open. */
  private _hasOwnComm(): boolean {
    return [...this._comms.values()].some(ownedByUs => ownedByUs);
  }

  /**
   * Open a comm with a frontend hello. Without the library imported the
   * kernel closes it at once; the library then opens its own comm on its
   * first announcement, and we come back here.
   */
  private async _openOwnComm(): Promise<void> {
    if (this._hasOwnComm() || this._isDisposed) {
      return;
    }
    const token = this._attachToken;
    const comm = this._kernel.createComm(TARGET_NAME);
    this._adopt(comm, true);
    await this._subshellReady(comm);
    if (comm.isDisposed || this._isDisposed || token !== this._attachToken) {
      return;
    }
    comm.open(HELLO);
  }

  private async _sendHello(comm: Kernel.IComm): Promise<void> {
    await this._subshellReady(comm);
    if (!comm.isDisposed && !this._isDisposed) {
      comm.send(HELLO);
    }
  }

  /**
   * JupyterLab runs comms on a kernel subshell (when the kernel has them),
   * started asynchronously. A message sent before it exists goes to the main
   * shell and waits for the running cell: the hello must not, or the kernel
   * streams only once the training cell is over.
   */
  private async _subshellReady(comm: Kernel.IComm): Promise<void> {
    const kernel = this._kernel;
    await kernel.info;
    const started = (comm as { subshellStarted?: Promise<void> })
      .subshellStarted;
    if (!kernel.supportsSubshells || !started) {
      return;
    }
    await Promise.race([
      started.catch(() => undefined),
      delay(SUBSHELL_TIMEOUT_MS)
    ]);
  }

  private _adopt(comm: Kernel.IComm, ownedByUs: boolean): void {
    this._comms.set(comm, ownedByUs);
    comm.onMsg = message =>
      this._handle(comm, message.content.data, message.buffers);
    comm.onClose = () => {
      this._comms.delete(comm);
      this._ignored.delete(comm);
    };
  }

  private _handle(
    comm: Kernel.IComm,
    data: unknown,
    buffers?: ReadonlyArray<ArrayBuffer | ArrayBufferView>
  ): void {
    if (this._ignored.has(comm)) {
      return;
    }
    const message = parseKernelMessage(data, buffers);
    if (!message) {
      return;
    }
    const kernelId = this._kernel.id;
    switch (message.type) {
      case 'hello': {
        if (message.protocol !== PROTOCOL_VERSION) {
          console.warn(
            `Trialbook: the kernel speaks comm protocol ${message.protocol}, ` +
              `this page ${PROTOCOL_VERSION}; using REST and the change feed only.`
          );
          this._ignored.add(comm);
          return;
        }
        if (this._sequence.acceptHandshake(message.session, message.seq)) {
          this._emit({ kernelId, events: [], snapshot: null, resync: true });
        }
        return;
      }
      case 'snapshot': {
        const resync = this._sequence.acceptHandshake(
          message.session,
          message.seq
        );
        this._emit({
          kernelId,
          events: [],
          snapshot: message.components,
          resync
        });
        return;
      }
      case 'batch': {
        const verdict = this._sequence.acceptBatch(
          message.session,
          message.seq
        );
        if (verdict === 'duplicate') {
          return;
        }
        this._emit({
          kernelId,
          events: message.events,
          snapshot: null,
          resync: verdict !== 'next'
        });
        return;
      }
      case 'error':
        console.warn('Trialbook: the kernel reported', message.message);
        return;
    }
  }

  private _emit(update: ILiveUpdate): void {
    this._received.emit(update);
  }

  private _onStatusChanged(
    _: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    if (status === 'restarting' || status === 'autorestarting') {
      // The connection disposes its comms on restart without `onClose`.
      this._attachToken += 1;
      this._comms.clear();
      this._ignored.clear();
      this._sequence.reset();
      this._needsAttach = true;
      this._emit({
        kernelId: this._kernel.id,
        events: [],
        snapshot: null,
        resync: true
      });
    } else if (status === 'idle' && this._needsAttach) {
      this._needsAttach = false;
      void this._attach();
    }
  }

  private _onConnectionChanged(
    _: Kernel.IKernelConnection,
    status: Kernel.ConnectionStatus
  ): void {
    if (status !== 'connected') {
      return;
    }
    if (this._everConnected) {
      // Messages sent while the websocket was down are lost.
      this._emit({
        kernelId: this._kernel.id,
        events: [],
        snapshot: null,
        resync: true
      });
    }
    this._everConnected = true;
    if (this._comms.size === 0) {
      void this._attach();
    }
  }

  private readonly _kernel: Kernel.IKernelConnection;
  /** Open comms → whether this page opened it. */
  private readonly _comms = new Map<Kernel.IComm, boolean>();
  /** Comms whose hello named a protocol this page does not speak. */
  private readonly _ignored = new Set<Kernel.IComm>();
  private readonly _sequence = new SequenceTracker();
  private readonly _received = new Signal<this, ILiveUpdate>(this);
  private _attachToken = 0;
  private _needsAttach = false;
  private _everConnected = false;
  private _isDisposed = false;
}
