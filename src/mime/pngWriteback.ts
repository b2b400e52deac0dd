/**
 * When to write a chart's picture back into its output as `image/png`: only
 * after it changed, and at most once per interval, so a running chart does not
 * keep the notebook dirty. Pure timing; the renderer does the capture.
 */

/** Minimum milliseconds between two write-backs of one chart. */
export const WRITEBACK_INTERVAL_MS = 10_000;
/** Let a burst of changes settle before capturing. */
export const WRITEBACK_SETTLE_MS = 1_000;

export interface IWritebackTimer {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMER: IWritebackTimer = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export class PngWriteback {
  constructor(options: PngWriteback.IOptions) {
    this._write = options.write;
    this._interval = options.interval ?? WRITEBACK_INTERVAL_MS;
    this._settle = options.settle ?? WRITEBACK_SETTLE_MS;
    this._timer = options.timer ?? REAL_TIMER;
  }

  /** Whether a write is scheduled. */
  get pending(): boolean {
    return this._handle !== null;
  }

  /** The chart drew something new: write it back soon. */
  changed(): void {
    if (this._disposed) {
      return;
    }
    this._dirty = true;
    if (this._handle !== null) {
      return;
    }
    if (this._writing) {
      this._changedWhileWriting = true;
      return;
    }
    const now = this._timer.now();
    const wait = Math.max(this._settle, this._last + this._interval - now);
    this._handle = this._timer.setTimeout(() => void this._run(), wait);
  }

  dispose(): void {
    this._disposed = true;
    if (this._handle !== null) {
      this._timer.clearTimeout(this._handle);
      this._handle = null;
    }
  }

  private async _run(): Promise<void> {
    this._handle = null;
    if (this._disposed || !this._dirty) {
      return;
    }
    this._dirty = false;
    this._writing = true;
    this._changedWhileWriting = false;
    try {
      const written = await this._write();
      if (written) {
        this._last = this._timer.now();
      } else {
        // Nothing to capture yet (hidden, not drawn): try on the next change.
        this._dirty = true;
      }
    } catch (reason) {
      console.warn('Trialbook: could not write the chart back as PNG', reason);
    } finally {
      this._writing = false;
    }
    if (this._changedWhileWriting && !this._disposed) {
      this.changed();
    }
  }

  private readonly _write: () => Promise<boolean>;
  private readonly _interval: number;
  private readonly _settle: number;
  private readonly _timer: IWritebackTimer;
  private _handle: unknown = null;
  private _last = -Infinity;
  private _dirty = false;
  private _writing = false;
  private _changedWhileWriting = false;
  private _disposed = false;
}

export namespace PngWriteback {
  export interface IOptions {
    /** Capture and store the picture; false when there was nothing to capture. */
    write: () => Promise<boolean>;
    interval?: number;
    settle?: number;
    timer?: IWritebackTimer;
  }
}

/** The base64 body of a `data:image/png;base64,...` URL. */
export function pngBase64(dataUrl: string): string | null {
  const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
  return match ? match[1] : null;
}
