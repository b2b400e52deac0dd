/**
 * One value read over REST and kept fresh: the last good value stays shown
 * while a reload runs or fails. Concurrent refreshes share one request (a
 * refresh asked for meanwhile runs once after it).
 */
import { ISignal, Signal } from '@lumino/signaling';

export class FetchedValue<T> {
  constructor(load: () => Promise<T>, initial: T | null = null) {
    this._load = load;
    this._value = initial;
  }

  get value(): T | null {
    return this._value;
  }

  /** The last load's error message, or `null`. */
  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._pending !== null;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  refresh(): Promise<void> {
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    this._pending = this._run().finally(() => {
      this._pending = null;
      if (this._again && !this._isDisposed) {
        this._again = false;
        void this.refresh();
      } else if (!this._isDisposed) {
        this._changed.emit();
      }
    });
    this._changed.emit();
    return this._pending;
  }

  /** Replace the value directly (a payload saved with the output). */
  set(value: T): void {
    this._value = value;
    this._error = null;
    this._changed.emit();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _run(): Promise<void> {
    try {
      const value = await this._load();
      if (!this._isDisposed) {
        this._value = value;
        this._error = null;
      }
    } catch (reason) {
      if (!this._isDisposed) {
        this._error = reason instanceof Error ? reason.message : String(reason);
      }
    }
  }

  private _load: () => Promise<T>;
  private _value: T | null;
  private _error: string | null = null;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}
