import { IChange } from '../api/types';
import { ITrialbookSource } from '../tokens';

/**
 * The long-poll loop over the server's change feed (`changes?since=`): how
 * the sidebar sees writers outside any kernel of this page. Retries with a
 * growing delay when the server is unreachable.
 */
export class ChangeFeed {
  constructor(options: ChangeFeed.IOptions) {
    this._source = options.source;
    this._onChanges = options.onChanges;
    this._onReset = options.onReset;
    this._timeout = options.timeout ?? 25;
  }

  get isRunning(): boolean {
    return this._running;
  }

  start(): void {
    if (this._running) {
      return;
    }
    this._running = true;
    void this._loop();
  }

  stop(): void {
    this._running = false;
    this._abort?.abort();
    this._abort = null;
  }

  private async _loop(): Promise<void> {
    let cursor: number | undefined;
    let failures = 0;
    while (this._running) {
      this._abort = new AbortController();
      try {
        const response = await this._source.getChanges(
          cursor,
          cursor === undefined ? 0 : this._timeout,
          this._abort.signal
        );
        if (!this._running) {
          return;
        }
        failures = 0;
        if (cursor !== undefined && response.reset) {
          this._onReset();
        } else if (response.changes.length) {
          this._onChanges(response.changes);
        }
        cursor = response.cursor;
      } catch {
        if (!this._running) {
          return;
        }
        failures += 1;
        // After a failure start again from "now": anything missed is
        // reloaded by the reset below once the server answers.
        if (cursor !== undefined) {
          cursor = undefined;
          this._needsReset = true;
        }
        await sleep(Math.min(1000 * 2 ** Math.min(failures, 5), 30_000));
        continue;
      }
      if (this._needsReset) {
        this._needsReset = false;
        this._onReset();
      }
    }
  }

  private readonly _source: ITrialbookSource;
  private readonly _onChanges: (changes: IChange[]) => void;
  private readonly _onReset: () => void;
  private readonly _timeout: number;
  private _running = false;
  private _needsReset = false;
  private _abort: AbortController | null = null;
}

export namespace ChangeFeed {
  export interface IOptions {
    source: ITrialbookSource;
    onChanges: (changes: IChange[]) => void;
    /** Anything may have changed: reload everything. */
    onReset: () => void;
    /** Long-poll timeout in seconds. */
    timeout?: number;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
