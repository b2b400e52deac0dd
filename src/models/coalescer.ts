/**
 * Coalesces model notifications: however many updates arrive, each dirty
 * model notifies at most once per animation frame and at most `rate` times a
 * second (the "update rate" setting).
 */
export class UpdateCoalescer {
  constructor(options: UpdateCoalescer.IOptions = {}) {
    this._requestFrame = options.requestFrame ?? defaultRequestFrame;
    this._now = options.now ?? (() => Date.now());
    this.rate = options.rate ?? 10;
  }

  /** Notifications per second; 0 or less means every frame. */
  get rate(): number {
    return this._rate;
  }

  set rate(value: number) {
    this._rate = value;
    this._minInterval = value > 0 ? 1000 / value : 0;
  }

  /** Run `notify` on the next flush; scheduling twice runs it once. */
  schedule(notify: () => void): void {
    this._pending.add(notify);
    if (this._scheduled) {
      return;
    }
    this._scheduled = true;
    const wait = Math.max(0, this._lastFlush + this._minInterval - this._now());
    const request = () => this._requestFrame(() => this.flush());
    if (wait > 0) {
      setTimeout(request, wait);
    } else {
      request();
    }
  }

  /** Run every pending notification now. */
  flush(): void {
    this._scheduled = false;
    this._lastFlush = this._now();
    const pending = [...this._pending];
    this._pending.clear();
    for (const notify of pending) {
      notify();
    }
  }

  private readonly _requestFrame: (callback: () => void) => void;
  private readonly _now: () => number;
  private readonly _pending = new Set<() => void>();
  private _rate = 10;
  private _minInterval = 100;
  private _lastFlush = -Infinity;
  private _scheduled = false;
}

export namespace UpdateCoalescer {
  export interface IOptions {
    rate?: number;
    /** Defaults to `requestAnimationFrame` (a timer where there is none). */
    requestFrame?: (callback: () => void) => void;
    now?: () => number;
  }
}

function defaultRequestFrame(callback: () => void): void {
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => callback());
  } else {
    setTimeout(callback, 16);
  }
}

/**
 * Runs `action` at most once per `interval` ms: at once when the last run is
 * older than that, otherwise once at the end of the interval, however many
 * times `schedule` was called meanwhile (a burst of writes costs one reload).
 */
export class Throttle {
  constructor(
    private readonly _action: () => void,
    private readonly _interval: number
  ) {}

  schedule(): void {
    if (this._timer !== null || this._disposed) {
      return;
    }
    const wait = Math.max(0, this._last + this._interval - Date.now());
    this._timer = setTimeout(() => {
      this._timer = null;
      this._last = Date.now();
      this._action();
    }, wait);
  }

  dispose(): void {
    this._disposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _last = 0;
  private _disposed = false;
}
