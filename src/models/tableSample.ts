/**
 * A capped read of the matching trials in table order, for what draws many
 * trials at once (parallel coordinates, the scatter, the grouped table): the
 * first SAMPLE_ROWS rows, read only while someone wants them and again when
 * the query, the sort or the data change. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ITrialRow } from '../api/types';

/** Rows a chart reads at most: beyond it the chart says how many it shows. */
export const SAMPLE_ROWS = 2_000;

export class TableSample {
  constructor(options: TableSample.IOptions) {
    this._read = options.read;
    this._limit = options.limit ?? SAMPLE_ROWS;
  }

  /** The first rows in table order (empty until read). */
  get rows(): readonly ITrialRow[] {
    return this._rows;
  }

  /** How many trials match in all (the rows are the first of them). */
  get total(): number {
    return this._total;
  }

  /** The rows answer the current query (false while a read is on its way). */
  get current(): boolean {
    return !this._stale;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Someone draws the sample: read it if it is not current. */
  request(): void {
    this._wanted = true;
    if (this._stale && !this._reading) {
      void this._fetch();
    }
  }

  /** The query, sort or data changed: read again if anyone draws it. */
  invalidate(): void {
    this._stale = true;
    if (this._wanted) {
      void this._fetch();
    }
  }

  /** Resolves once no read is on its way. */
  async settled(): Promise<void> {
    while (this._reading) {
      await this._reading;
    }
  }

  dispose(): void {
    this._ticket++;
    Signal.clearData(this);
  }

  private _fetch(): Promise<void> {
    const ticket = ++this._ticket;
    const reading = this._read(this._limit).then(
      window => {
        if (ticket !== this._ticket) {
          return;
        }
        this._rows = window.trials;
        this._total = window.total ?? window.trials.length;
        this._stale = false;
        this._changed.emit();
      },
      () => undefined
    );
    const done = reading.finally(() => {
      if (this._reading === done) {
        this._reading = null;
      }
    });
    this._reading = done;
    return done;
  }

  private _read: TableSample.Read;
  private _limit: number;
  private _rows: readonly ITrialRow[] = [];
  private _total = 0;
  private _stale = true;
  private _wanted = false;
  private _ticket = 0;
  private _reading: Promise<void> | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace TableSample {
  export type Read = (
    limit: number
  ) => Promise<{ trials: ITrialRow[]; total?: number }>;

  export interface IOptions {
    read: Read;
    limit?: number;
  }
}
