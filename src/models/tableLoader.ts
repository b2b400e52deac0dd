/**
 * The loader of a trial table the server owns: for one query and sort it knows
 * how many trials match (`total`) and keeps a bounded, sparse cache of row
 * blocks read by offset. The table asks for the rows on screen
 * (`ensureRange`), paints placeholders for what is not here yet (`rowAt`
 * returns undefined) and redraws on `changed`. The whole table is never
 * downloaded. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ITrialColumns, ITrialRow, Status } from '../api/types';

/** What narrows and orders the rows: the query's narrowing plus the sort. */
export interface ITableWindowQuery {
  q?: string;
  search?: string;
  statuses?: Status[];
  /** A server column id (`metrics.loss.min`, `duration`, …). */
  sort?: string;
  order?: 'asc' | 'desc';
}

export interface ITableWindow {
  columns: ITrialColumns;
  trials: ITrialRow[];
  total?: number;
}

/** Reads one window of rows: the view's REST source. */
export type TableWindowFetch = (
  query: ITableWindowQuery & { offset: number; limit: number }
) => Promise<ITableWindow>;

/** Rows per block: one request reads one or a few contiguous blocks. */
export const BLOCK_ROWS = 200;

/** Blocks kept at most (beyond them the least recently used go): 12,000 rows. */
export const MAX_BLOCKS = 60;

/** Requests in flight at most; a scroll asks again once one returns. */
const MAX_IN_FLIGHT = 2;

/** Blocks one request reads at most. */
const MAX_BLOCKS_PER_REQUEST = 5;

interface IBlock {
  rows: ITrialRow[];
  /** Read before the latest refresh: shown, and read again when wanted. */
  stale: boolean;
  used: number;
}

export class TableLoader {
  constructor(options: TableLoader.IOptions) {
    this._fetch = options.fetch;
    this._blockRows = options.blockRows ?? BLOCK_ROWS;
    this._maxBlocks = Math.max(2, options.maxBlocks ?? MAX_BLOCKS);
  }

  /** Trials matching the query (0 before the first answer). */
  get total(): number {
    return this._total;
  }

  /** The query and sort the rows answer. */
  get query(): Readonly<ITableWindowQuery> {
    return this._query;
  }

  /** Whether a query has been answered at least once. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Bumped on every new query or sort: rows of an older one are dropped. */
  get generation(): number {
    return this._generation;
  }

  /** Rows arrived, or the total changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The columns the server reported with the latest rows. */
  get columnsReported(): ISignal<this, ITrialColumns> {
    return this._columnsReported;
  }

  /** The row at `index` in table order, or undefined while it is not loaded. */
  rowAt(index: number): ITrialRow | undefined {
    const block = this._blocks.get(Math.floor(index / this._blockRows));
    return block?.rows[index % this._blockRows];
  }

  /** Where a loaded trial stands in table order. */
  indexOf(name: string): number | undefined {
    for (const [number, block] of this._blocks) {
      const at = block.rows.findIndex(row => row.name === name);
      if (at !== -1) {
        return number * this._blockRows + at;
      }
    }
    return undefined;
  }

  /** The loaded rows in table order (a window, not the table). */
  loadedRows(): ITrialRow[] {
    const numbers = [...this._blocks.keys()].sort((a, b) => a - b);
    return numbers.flatMap(number => this._blocks.get(number)!.rows);
  }

  /** Names of the loaded rows between two indexes (both included), in order. */
  loadedNames(start: number, end: number): string[] {
    const names: string[] = [];
    for (let index = start; index <= end; index++) {
      const row = this.rowAt(index);
      if (row) {
        names.push(row.name);
      }
    }
    return names;
  }

  /**
   * Rows `start` to `end` (exclusive) are on screen: read the blocks missing
   * or stale there. Calls in a burst (a scrollbar drag) coalesce: only the
   * latest range is read once a request slot frees.
   */
  ensureRange(start: number, end: number): void {
    this._wanted = [Math.max(0, start), Math.max(start, end)];
    for (const number of this._blockNumbers(this._wanted)) {
      const block = this._blocks.get(number);
      if (block) {
        block.used = ++this._clock;
      }
    }
    this._schedulePump();
  }

  /**
   * Answer a new query or sort: a new generation whose first block is read at
   * once. Until it arrives the previous rows stay on screen; a refused query
   * rejects and leaves them there.
   */
  async setQuery(query: ITableWindowQuery): Promise<void> {
    const ticket = ++this._ticket;
    const pending = this._read(query, 0, this._firstLimit());
    this._track(pending);
    this._querying = pending;
    const window = await pending;
    if (ticket !== this._ticket) {
      return;
    }
    this._generation++;
    this._query = { ...query };
    if (this._wanted) {
      // A new query or sort shows from the top: want a screenful there.
      this._wanted = [0, this._wanted[1] - this._wanted[0]];
    }
    this._blocks.clear();
    this._inFlight.clear();
    this._store(window, 0, false);
    this._loaded = true;
    this._changed.emit();
    this._schedulePump();
  }

  /**
   * Read again what is on screen (a live update): every cached block turns
   * stale and stays shown; the wanted range and the total are read now, the
   * rest when scrolled to. Resolves, once the wanted rows are fresh, to
   * whether they or the total changed.
   */
  async refresh(): Promise<boolean> {
    // A query on its way may have been answered before the change: read after it.
    await this._querying?.catch(() => undefined);
    if (!this._loaded) {
      await this.setQuery(this._query);
      return true;
    }
    for (const block of this._blocks.values()) {
      block.stale = true;
    }
    const ticket = this._ticket;
    const generation = this._generation;
    const [start, end] = this._wanted ?? [0, this._blockRows];
    const first = Math.floor(start / this._blockRows) * this._blockRows;
    const limit = Math.max(
      this._blockRows,
      Math.ceil(end / this._blockRows) * this._blockRows - first
    );
    const before = this._signature(first, limit);
    const pending = this._read(this._query, first, limit);
    this._track(pending);
    const window = await pending;
    if (generation !== this._generation || ticket !== this._ticket) {
      return false;
    }
    this._store(window, first / this._blockRows, false);
    this._changed.emit();
    return before !== this._signature(first, limit);
  }

  /** Resolves once no read is in flight (tests, journeys, benchmarks). */
  async settled(): Promise<void> {
    while (this._pending.size) {
      await Promise.allSettled([...this._pending]);
    }
  }

  /** Every matching row in table order, read page by page (a CSV export). */
  async readAll(pageRows = 10_000): Promise<ITrialRow[]> {
    const rows: ITrialRow[] = [];
    for (;;) {
      const page = await this._read(this._query, rows.length, pageRows);
      rows.push(...page.trials);
      if (page.trials.length < pageRows || rows.length >= (page.total ?? 0)) {
        return rows;
      }
    }
  }

  /** The first `limit` matching rows in table order (a chart's capped sample). */
  async readHead(limit: number): Promise<ITableWindow> {
    return this._read(this._query, 0, limit);
  }

  dispose(): void {
    this._generation++;
    this._ticket++;
    this._blocks.clear();
    Signal.clearData(this);
  }

  private _firstLimit(): number {
    // The first read covers a screenful: a new query or sort shows from the top.
    const size = this._wanted ? this._wanted[1] - this._wanted[0] : 0;
    return Math.max(
      this._blockRows,
      Math.min(
        MAX_BLOCKS_PER_REQUEST * this._blockRows,
        Math.ceil(size / this._blockRows) * this._blockRows
      )
    );
  }

  private _blockNumbers(range: [number, number]): number[] {
    const [start, end] = range;
    const last = Math.min(end, Math.max(this._total, 1)) - 1;
    const numbers: number[] = [];
    for (
      let number = Math.floor(start / this._blockRows);
      number * this._blockRows <= last;
      number++
    ) {
      numbers.push(number);
    }
    return numbers;
  }

  private _schedulePump(): void {
    if (this._pumpScheduled) {
      return;
    }
    this._pumpScheduled = true;
    // After the current task's calls (a burst from one render), not a timer later.
    queueMicrotask(() => {
      this._pumpScheduled = false;
      this._pump();
    });
  }

  /** Read the wanted blocks that are missing or stale, a run of blocks per request. */
  private _pump(): void {
    if (!this._loaded || !this._wanted) {
      return;
    }
    const wanted = this._blockNumbers(this._wanted).filter(number => {
      const block = this._blocks.get(number);
      return (!block || block.stale) && !this._inFlight.has(number);
    });
    while (wanted.length && this._requests < MAX_IN_FLIGHT) {
      const run = [wanted.shift()!];
      while (
        wanted.length &&
        wanted[0] === run[run.length - 1] + 1 &&
        run.length < MAX_BLOCKS_PER_REQUEST
      ) {
        run.push(wanted.shift()!);
      }
      void this._readBlocks(run);
    }
  }

  private async _readBlocks(numbers: number[]): Promise<void> {
    const generation = this._generation;
    for (const number of numbers) {
      this._inFlight.add(number);
    }
    this._requests++;
    const pending = this._read(
      this._query,
      numbers[0] * this._blockRows,
      numbers.length * this._blockRows
    );
    this._track(pending);
    try {
      const window = await pending;
      if (generation === this._generation) {
        this._store(window, numbers[0], true);
        this._changed.emit();
      }
    } catch {
      // Left missing: the next scroll asks again.
    } finally {
      this._requests--;
      if (generation === this._generation) {
        for (const number of numbers) {
          this._inFlight.delete(number);
        }
        this._schedulePump();
      }
    }
  }

  private _read(
    query: ITableWindowQuery,
    offset: number,
    limit: number
  ): Promise<ITableWindow> {
    return this._fetch({ ...query, offset, limit });
  }

  private _track(pending: Promise<unknown>): void {
    const settled = pending.then(
      () => undefined,
      () => undefined
    );
    this._pending.add(settled);
    void settled.then(() => this._pending.delete(settled));
  }

  /** Cut a window into blocks from `first`, then evict the least recently used. */
  private _store(window: ITableWindow, first: number, partial: boolean): void {
    this._columnsReported.emit(window.columns);
    const rows = window.trials;
    this._total =
      window.total ??
      Math.max(this._total, first * this._blockRows + rows.length);
    const count = Math.max(1, Math.ceil(rows.length / this._blockRows));
    for (let i = 0; i < count; i++) {
      const slice = rows.slice(i * this._blockRows, (i + 1) * this._blockRows);
      if (!slice.length && (partial || i > 0)) {
        this._blocks.delete(first + i);
        continue;
      }
      this._blocks.set(first + i, {
        rows: slice,
        stale: false,
        used: ++this._clock
      });
    }
    // Blocks past a shrunk table are gone.
    for (const number of [...this._blocks.keys()]) {
      if (number * this._blockRows >= Math.max(this._total, 1)) {
        this._blocks.delete(number);
      }
    }
    this._evict();
  }

  private _evict(): void {
    if (this._blocks.size <= this._maxBlocks) {
      return;
    }
    const keep = new Set(this._wanted ? this._blockNumbers(this._wanted) : []);
    const byAge = [...this._blocks.entries()]
      .filter(([number]) => !keep.has(number))
      .sort((a, b) => a[1].used - b[1].used);
    for (const [number] of byAge) {
      if (this._blocks.size <= this._maxBlocks) {
        break;
      }
      this._blocks.delete(number);
    }
  }

  private _signature(offset: number, limit: number): string {
    const parts: string[] = [String(this._total)];
    for (let index = offset; index < offset + limit; index++) {
      const row = this.rowAt(index);
      if (row) {
        parts.push(rowSignature(row));
      }
    }
    return parts.join('\n');
  }

  private _fetch: TableWindowFetch;
  private _blockRows: number;
  private _maxBlocks: number;
  private _query: ITableWindowQuery = {};
  private _generation = 0;
  private _ticket = 0;
  private _querying: Promise<unknown> | null = null;
  private _loaded = false;
  private _total = 0;
  private _blocks = new Map<number, IBlock>();
  private _inFlight = new Set<number>();
  private _requests = 0;
  private _pending = new Set<Promise<void>>();
  private _wanted: [number, number] | null = null;
  private _pumpScheduled = false;
  private _clock = 0;
  private _changed = new Signal<this, void>(this);
  private _columnsReported = new Signal<this, ITrialColumns>(this);
}

export namespace TableLoader {
  export interface IOptions {
    fetch: TableWindowFetch;
    blockRows?: number;
    maxBlocks?: number;
  }
}

/** What a refresh can change in a row, cheaply: its identity, status and data counts. */
export function rowSignature(row: ITrialRow): string {
  let points = 0;
  for (const summary of Object.values(row.metrics)) {
    points += summary.count;
  }
  return `${row.name}|${row.status}|${row.last_activity}|${row.end_time}|${points}|${row.objective_value}`;
}
