/**
 * What narrows and orders the trial table: the typed query, the column
 * filters and chart brushes (as query terms), the status choice, the search
 * text and the sort. One state that the server evaluates; the view only shows
 * what it answers. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IQueryError, Status } from '../api/types';
import {
  brushTerm,
  BrushFilter,
  ColumnFilter,
  combineQuery,
  filterTerm,
  ICombinedQuery,
  IPlacedQueryError,
  IQueryTerm,
  placeError
} from './queryTerms';
import { ITrialColumn } from './trialColumns';

/** Where recent queries are remembered (JupyterLab's IStateDB satisfies it). */
export interface IQueryHistoryStore {
  fetch(id: string): Promise<unknown>;
  save(id: string, value: never): Promise<unknown>;
}

/** Recent queries kept per experiment. */
export const RECENT_QUERIES = 20;

export interface ISortState {
  column: string;
  descending: boolean;
}

/** The sort as table request parameters (the server's column ids). */
export interface ITableOrdering {
  sort?: string;
  order?: 'asc' | 'desc';
}

/** The server's sort key for a view column id (they differ only for the experiment). */
export function sortKey(column: string): string {
  return column === 'experiment_name' ? 'experiment' : column;
}

/** The parameters of one table request that narrow it. */
export interface ITableNarrowing {
  q: string;
  search: string;
  statuses: Status[];
}

export class QueryModel {
  constructor(options: QueryModel.IOptions) {
    this._columnOf = options.columnOf;
    this._historyStore = options.historyStore ?? null;
    this._historyKey = `trialbook-queries:${options.scope}`;
  }

  /** The query as typed and applied (not the draft in the bar). */
  get text(): string {
    return this._text;
  }

  get filters(): ReadonlyMap<string, ColumnFilter> {
    return this._filters;
  }

  get brushes(): ReadonlyMap<string, BrushFilter> {
    return this._brushes;
  }

  /** Statuses shown; empty means all. */
  get statuses(): ReadonlySet<Status> {
    return this._statuses;
  }

  /** The server's search rule: the trial name, or a variable written key=value. */
  get search(): string {
    return this._search;
  }

  /** The filters and brushes written as query terms, in column order of setting. */
  get terms(): IQueryTerm[] {
    const terms: IQueryTerm[] = [];
    for (const [id, filter] of this._filters) {
      const column = this._columnOf(id);
      const text = column ? filterTerm(column, filter) : null;
      if (text) {
        terms.push({ column: id, source: 'filter', text });
      }
    }
    for (const [id, brush] of this._brushes) {
      const column = this._columnOf(id);
      if (column) {
        terms.push({
          column: id,
          source: 'brush',
          text: brushTerm(column, brush)
        });
      }
    }
    return terms;
  }

  /** The typed text and the terms as the one query the server runs. */
  get combined(): ICombinedQuery {
    return combineQuery(this._text, this.terms);
  }

  /** What a table request sends to narrow the rows. */
  get narrowing(): ITableNarrowing {
    return {
      q: this.combined.q,
      search: this._search.trim(),
      statuses: [...this._statuses]
    };
  }

  /** The column the server sorts by; `null`: creation order. */
  get sort(): ISortState | null {
    return this._sort;
  }

  /** The sort as request parameters. */
  get ordering(): ITableOrdering {
    const sort = this._sort;
    return sort
      ? { sort: sortKey(sort.column), order: sort.descending ? 'desc' : 'asc' }
      : {};
  }

  /** Sort by a column on the server; `null` restores creation order. */
  setSort(sort: ISortState | null): void {
    this._sort = sort;
    this._changed.emit();
  }

  /** The narrowing without the chart's brushes: what parallel coordinates draw under them. */
  get narrowingWithoutBrushes(): ITableNarrowing {
    const terms = this.terms.filter(term => term.source !== 'brush');
    return { ...this.narrowing, q: combineQuery(this._text, terms).q };
  }

  /** Whether anything narrows the table. */
  get active(): boolean {
    const narrowing = this.narrowing;
    return !!(narrowing.q || narrowing.search || narrowing.statuses.length);
  }

  /** The server's complaint about the query, placed on the typed text. */
  get error(): IPlacedQueryError | null {
    return this._error;
  }

  /** Recent queries, most recent first. */
  get recent(): readonly string[] {
    return this._recent;
  }

  /** Anything that narrows the table changed: the table asks the server again. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The error or the history changed (the bar redraws; the table does not refetch). */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  async restoreHistory(): Promise<void> {
    if (!this._historyStore) {
      return;
    }
    try {
      const saved = await this._historyStore.fetch(this._historyKey);
      if (Array.isArray(saved)) {
        this._recent = saved
          .filter((item): item is string => typeof item === 'string')
          .slice(0, RECENT_QUERIES);
        this._stateChanged.emit();
      }
    } catch {
      // A broken history only loses the suggestions.
    }
  }

  setText(text: string): void {
    if (text.trim() === this._text.trim()) {
      return;
    }
    this._text = text.trim();
    this._error = null;
    this._changed.emit();
  }

  setFilter(column: string, filter: ColumnFilter | null): void {
    const filters = new Map(this._filters);
    if (filter === null || isEmptyFilter(filter)) {
      filters.delete(column);
    } else {
      filters.set(column, filter);
    }
    this._filters = filters;
    this._changed.emit();
  }

  setBrushes(brushes: ReadonlyMap<string, BrushFilter>): void {
    if (sameBrushes(this._brushes, brushes)) {
      return;
    }
    this._brushes = new Map(brushes);
    this._changed.emit();
  }

  /** Remove one term from the bar: its filter or brush goes with it. */
  removeTerm(term: IQueryTerm): void {
    if (term.source === 'filter') {
      this.setFilter(term.column, null);
    } else {
      const brushes = new Map(this._brushes);
      brushes.delete(term.column);
      this.setBrushes(brushes);
    }
  }

  setStatuses(statuses: Iterable<Status>): void {
    this._statuses = new Set(statuses);
    this._changed.emit();
  }

  setSearch(search: string): void {
    if (search !== this._search) {
      this._search = search;
      this._changed.emit();
    }
  }

  clear(): void {
    this._text = '';
    this._filters = new Map();
    this._brushes = new Map();
    this._statuses = new Set();
    this._search = '';
    this._error = null;
    this._changed.emit();
  }

  /** The server answered the current query: remember it; `error` when it refused it. */
  settle(error: IQueryError | null): void {
    const combined = this.combined;
    this._error = error ? placeError(error, combined, this._text) : null;
    if (!error && this._text && this._recent[0] !== this._text) {
      this._recent = [
        this._text,
        ...this._recent.filter(item => item !== this._text)
      ].slice(0, RECENT_QUERIES);
      void this._historyStore
        ?.save(this._historyKey, this._recent as never)
        .catch(() => undefined);
    }
    this._stateChanged.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _columnOf: (id: string) => ITrialColumn | undefined;
  private _historyStore: IQueryHistoryStore | null;
  private _historyKey: string;
  private _text = '';
  private _filters = new Map<string, ColumnFilter>();
  private _brushes = new Map<string, BrushFilter>();
  private _statuses = new Set<Status>();
  private _search = '';
  private _error: IPlacedQueryError | null = null;
  private _recent: string[] = [];
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, void>(this);
  private _sort: ISortState | null = null;
}

export namespace QueryModel {
  export interface IOptions {
    /** The table's columns by id (to write filters and brushes as terms). */
    columnOf(id: string): ITrialColumn | undefined;
    /** Recent queries are remembered per scope (an experiment name, or all trials). */
    scope: string;
    historyStore?: IQueryHistoryStore | null;
  }
}

function isEmptyFilter(filter: ColumnFilter): boolean {
  return filter.kind === 'text'
    ? filter.text.trim() === ''
    : filter.min === null && filter.max === null;
}

function sameBrushes(
  a: ReadonlyMap<string, BrushFilter>,
  b: ReadonlyMap<string, BrushFilter>
): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const [key, value] of a) {
    if (JSON.stringify(value) !== JSON.stringify(b.get(key))) {
      return false;
    }
  }
  return true;
}
