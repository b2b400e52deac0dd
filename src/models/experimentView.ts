/**
 * The state of one experiment view, combining its parts like JupyterLab's
 * debugger model: the column layout (`columns`), the query (`query`: typed
 * text, filter and brush terms, statuses, search), the selection
 * (`trialSelection`) and the loader (`loader`: windows of rows the server
 * sorted and filtered). Views subscribe to the part they draw; no DOM here.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IExperimentDetail,
  ITrialColumns,
  ITrialDetail,
  ITrialRow,
  Status
} from '../api/types';
import { queryErrorOf } from '../api/client';
import {
  ColumnLayoutModel,
  IColumnState,
  IViewStateStore
} from './columnLayout';
import { trialsCSV } from './csv';
import { OpenedTrialModel } from './openedTrial';
import { ISortState, QueryModel } from './query';
import { SelectedTrialRows } from './selectedTrials';
import { ISelectGesture, SelectionModel } from './selection';
import { ITableWindowQuery, TableLoader } from './tableLoader';
import { TableSample } from './tableSample';
import { groupsCSV, TrialGroupsModel } from './trialGroups';
import { CellValue, ITrialColumn } from './trialColumns';

/** What the view reads over REST; the REST client satisfies it. */
export interface IExperimentViewSource {
  /** `null` where the view has no one experiment (all trials). */
  getExperiment(name: string): Promise<IExperimentDetail | null>;
  getTrialTable(
    experimentName: string,
    query?: ITableWindowQuery & { offset?: number; limit?: number }
  ): Promise<{ columns: ITrialColumns; trials: ITrialRow[]; total?: number }>;
  getTrial?(name: string): Promise<ITrialDetail>;
}

export type { BrushFilter, ColumnFilter } from './queryTerms';
export type { IColumnState, IViewStateStore } from './columnLayout';
export { DEFAULT_COLUMN_STATE } from './columnLayout';
export type { ISelectGesture } from './selection';
export type { ISortState } from './query';

/** Rows a CSV export reads per request (the export reads the whole matching table). */
export const EXPORT_PAGE_ROWS = 10_000;

export class ExperimentViewModel {
  constructor(options: ExperimentViewModel.IOptions) {
    this.name = options.name;
    this.crossExperiment = options.crossExperiment ?? false;
    this._source = options.source;
    this._stateStore = options.stateStore ?? null;
    this.columns = new ColumnLayoutModel({
      stateKey: this.crossExperiment
        ? 'trialbook-all-trials-view'
        : `trialbook-experiment-view:${this.name}`,
      stateStore: this._stateStore,
      withExperiment: this.crossExperiment
    });
    this.columns.changed.connect(() => this._changed.emit(), this);
    this.loader = new TableLoader({
      fetch: query => this._source.getTrialTable(this.name, query),
      blockRows: options.blockRows
    });
    this.loader.columnsReported.connect(
      (_, columns) => this.columns.setAvailable(columns),
      this
    );
    // Rows arriving for a scroll redraw the table only (it follows the
    // loader); the rest of the view redraws when the count changes.
    this.loader.changed.connect(() => {
      this._keepSelectedRows();
      if (this.loader.total !== this._shownTotal) {
        this._shownTotal = this.loader.total;
        this._changed.emit();
      }
    }, this);
    this.sample = new TableSample({
      read: limit => this.loader.readHead(limit)
    });
    this.brushSample = new TableSample({
      read: limit =>
        this._source.getTrialTable(this.name, {
          ...this.query.narrowingWithoutBrushes,
          ...this.query.ordering,
          offset: 0,
          limit
        })
    });
    for (const sample of [this.sample, this.brushSample]) {
      sample.changed.connect(() => this._changed.emit(), this);
    }
    this.trialSelection = new SelectionModel({
      order: () => this.loader.loadedRows().map(row => row.name),
      exists: name => !this._deleted.has(name)
    });
    this.trialSelection.changed.connect(() => {
      this._keepSelectedRows();
      this._changed.emit();
      this._selectionChanged.emit();
    }, this);
    this.query = new QueryModel({
      columnOf: id => this.column(id),
      scope: options.crossExperiment ? '*all-trials*' : options.name,
      historyStore: this._stateStore
    });
    this.query.changed.connect(() => void this._requery(), this);
    this.opened = new OpenedTrialModel({
      getTrial: options.source.getTrial?.bind(options.source)
    });
  }

  /** What narrows the table: typed query, filter and brush terms, statuses, search. */
  readonly query: QueryModel;

  /** Which columns exist and how the user arranged them. */
  readonly columns: ColumnLayoutModel;

  /** Which trials are selected. */
  readonly trialSelection: SelectionModel;

  /** The trial shown in the detail pane. */
  readonly opened: OpenedTrialModel;

  /** Windows of the matching rows, in the server's order. */
  readonly loader: TableLoader;

  /** The first matching rows in table order, for charts and the grouped table. */
  readonly sample: TableSample;

  /** The same without the chart's brushes: parallel coordinates draw it under them. */
  readonly brushSample: TableSample;

  /** The experiment's name; empty for the view of all trials. */
  readonly name: string;

  /** Trials of every experiment (`GET trials`), with an Experiment column. */
  readonly crossExperiment: boolean;

  get detail(): IExperimentDetail | null {
    return this._detail;
  }

  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** Trials matching the query (the table's row count). */
  get total(): number {
    return this.loader.total;
  }

  /** Trials in the experiment (or in every experiment), whatever the query. */
  get trialCount(): number {
    return this._detail?.trial_count ?? this._unnarrowedTotal;
  }

  /** The matching row at `index`, or undefined while it is not loaded. */
  rowAt(index: number): ITrialRow | undefined {
    return this.loader.rowAt(index);
  }

  /** Rows `start` to `end` (exclusive) are on screen. */
  ensureRange(start: number, end: number): void {
    this.loader.ensureRange(start, end);
  }

  /** Variable, parameter and metric names seen in the experiment. */
  get available(): ITrialColumns {
    return this.columns.available;
  }

  /** Every column that exists, in the user's order (hidden ones included). */
  get allColumns(): readonly ITrialColumn[] {
    return this.columns.allColumns;
  }

  /** The columns shown, pinned first. */
  get visibleColumns(): readonly ITrialColumn[] {
    return this.columns.visibleColumns;
  }

  column(id: string): ITrialColumn | undefined {
    return this.columns.column(id);
  }

  isColumnVisible(id: string): boolean {
    return this.columns.isColumnVisible(id);
  }

  get columnState(): Readonly<IColumnState> {
    return this.columns.state;
  }

  get sort(): ISortState | null {
    return this.query.sort;
  }

  /** A request for a new query or sort is on its way. */
  get querying(): boolean {
    return this._querying !== null;
  }

  /** Resolves once the server has answered everything asked so far (tests, journeys). */
  async settled(): Promise<void> {
    while (this._querying || this._pending) {
      await (this._querying ?? this._pending);
    }
    await this.loader.settled();
    await Promise.all([this.sample.settled(), this.brushSample.settled()]);
  }

  /** Selected trial names. */
  get selection(): ReadonlySet<string> {
    return this.trialSelection.names;
  }

  /** Selected trials: loaded ones in table order first, then the others. */
  get selectedRows(): ITrialRow[] {
    return this._selectedRows.ordered(this.selection, name =>
      this.loader.indexOf(name)
    );
  }

  /** Status → trial count over the experiment (the server's tallies); null across experiments. */
  get statusCounts(): Record<Status, number> | null {
    return this._detail?.status_counts ?? null;
  }

  /** Anything the table shows changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The selection changed (charts redraw). */
  get selectionChanged(): ISignal<this, void> {
    return this._selectionChanged;
  }

  /** Fresh data arrived from the server (charts refetch their series). */
  get dataChanged(): ISignal<this, void> {
    return this._dataChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.query.dispose();
    this.columns.dispose();
    this.trialSelection.dispose();
    this.loader.dispose();
    this.sample.dispose();
    this.brushSample.dispose();
    this.opened.dispose();
    Signal.clearData(this);
  }

  // -- loading ---------------------------------------------------------------

  /** Restore the remembered column state while the first rows load. */
  async initialize(): Promise<void> {
    void this.query.restoreHistory();
    await Promise.all([
      this.columns.restore().then(() => this._changed.emit()),
      this.refresh()
    ]);
  }

  /**
   * Reload the experiment and the rows on screen (a live update). Sort,
   * filters, brushes, selection and column choices are kept; selected trials
   * that no longer exist drop out. Concurrent calls share one request.
   */
  refresh(): Promise<void> {
    if (this._pending) {
      this._again = true;
      return this._pending;
    }
    this._pending = this._load().finally(() => {
      this._pending = null;
      if (this._again && !this._isDisposed) {
        this._again = false;
        void this.refresh();
      }
    });
    return this._pending;
  }

  /** The distinct values a variable takes among the loaded trials (for completion). */
  variableValues(variable: string): CellValue[] {
    const values = new Set<CellValue>();
    for (const row of [...this.loader.loadedRows(), ...this.sample.rows]) {
      const value =
        variable === 'experiment'
          ? row.experiment_name
          : row.variables?.[variable];
      if (value !== undefined && values.size < 50) {
        values.add(value as CellValue);
      }
    }
    return [...values];
  }

  /** A loaded, selected or opened trial's row. */
  row(name: string): ITrialRow | undefined {
    const index = this.loader.indexOf(name);
    return (
      (index === undefined ? undefined : this.loader.rowAt(index)) ??
      this._selectedRows.get(name) ??
      (this.opened.row?.name === name ? this.opened.row : undefined)
    );
  }

  /**
   * The first load reads the first window for the current query and sort;
   * later loads (live refreshes) read again the rows on screen, the total,
   * the experiment's tallies and the selected trials.
   */
  private async _load(): Promise<void> {
    this._loading = true;
    try {
      const first = !this.loader.loaded;
      const [detail, changedRows] = await Promise.all([
        this._source.getExperiment(this.name),
        first
          ? this.loader.setQuery(this._windowQuery()).then(() => true)
          : this.loader.refresh(),
        this._recheckSelection()
      ]);
      if (this._isDisposed) {
        return;
      }
      this._error = null;
      this._loading = false;
      const detailSignature = JSON.stringify(detail);
      const changedDetail = detailSignature !== this._detailSignature;
      this._detail = detail;
      this._detailSignature = detailSignature;
      if (!this.query.active) {
        this._unnarrowedTotal = this.loader.total;
      }
      if (first || changedRows || changedDetail) {
        this.sample.invalidate();
        this.brushSample.invalidate();
        this._dataChanged.emit();
      }
      this._changed.emit();
      if (this.opened.name) {
        void this.openTrial(this.opened.name);
      }
    } catch (reason) {
      this._loading = false;
      this._error = reason instanceof Error ? reason.message : String(reason);
      this._changed.emit();
    }
  }

  /** What the loader asks: the query's narrowing and the sort. */
  private _windowQuery(): ITableWindowQuery {
    return { ...this.query.narrowing, ...this.query.ordering };
  }

  // -- sort and filters --------------------------------------------------------

  /** Sort by a column on the server; `null` restores creation order. */
  setSort(sort: ISortState | null): void {
    this.query.setSort(sort);
  }

  /** Ascending, then descending, then unsorted: a header click. */
  cycleSort(column: string): void {
    const current = this.query.sort;
    if (!current || current.column !== column) {
      this.setSort({ column, descending: false });
    } else if (!current.descending) {
      this.setSort({ column, descending: true });
    } else {
      this.setSort(null);
    }
  }

  /**
   * Ask the server for the first window of the new query or sort. The latest
   * request wins; a refused query keeps the last rows and places the error in
   * the bar.
   */
  private async _requery(): Promise<void> {
    const ticket = ++this._queryTicket;
    const withoutBrushes = JSON.stringify([
      this.query.narrowingWithoutBrushes,
      this.query.ordering
    ]);
    const request = this.loader.setQuery(this._windowQuery());
    const done = request.then(
      () => undefined,
      () => undefined
    );
    this._querying = done;
    this._changed.emit();
    try {
      await request;
      if (ticket !== this._queryTicket || this._isDisposed) {
        return;
      }
      this.query.settle(null);
      if (!this.query.active) {
        this._unnarrowedTotal = this.loader.total;
      }
      this.sample.invalidate();
      if (withoutBrushes !== this._brushSampleKey) {
        // A brush alone leaves what parallel coordinates draw under it.
        this.brushSample.invalidate();
      }
    } catch (reason) {
      if (ticket !== this._queryTicket || this._isDisposed) {
        return;
      }
      const error = queryErrorOf(reason);
      this.query.settle(
        error ?? {
          message: reason instanceof Error ? reason.message : String(reason),
          offset: -1,
          end: -1,
          line: 0,
          column: 0
        }
      );
    } finally {
      if (ticket === this._queryTicket) {
        this._brushSampleKey = withoutBrushes;
        this._querying = null;
        this._changed.emit();
      }
    }
  }

  // -- selection ----------------------------------------------------------------

  /** A click on a row: select it alone, toggle it, or extend over the loaded rows to it. */
  select(name: string, gesture: ISelectGesture = {}): void {
    this.trialSelection.select(name, gesture);
  }

  setSelection(names: Iterable<string>): void {
    this.trialSelection.setNames(names);
  }

  clearSelection(): void {
    this.trialSelection.clear();
  }

  private _keepSelectedRows(): void {
    this._selectedRows.keep(this.selection, () => [
      ...this.sample.rows,
      ...this.loader.loadedRows()
    ]);
  }

  /** Selected trials deleted meanwhile drop out of the selection. */
  private async _recheckSelection(): Promise<void> {
    this._deleted = await this._selectedRows.recheck(this.selection);
    this.trialSelection.prune();
    this._deleted = new Set();
  }

  // -- detail pane ----------------------------------------------------------------

  /** The trial shown in the detail pane, or null (the pane then compares the selection). */
  get openedTrial(): string | null {
    return this.opened.name;
  }

  get trialDetail(): ITrialDetail | null {
    return this.opened.detail;
  }

  get detailChanged(): ISignal<OpenedTrialModel, void> {
    return this.opened.changed;
  }

  /** Show one trial's detail; `null` closes it. Reloads on live updates. */
  openTrial(name: string | null): Promise<void> {
    const index = name === null ? undefined : this.loader.indexOf(name);
    const row = index === undefined ? undefined : this.loader.rowAt(index);
    return this.opened.open(
      name,
      row ?? (name ? this._selectedRows.get(name) : undefined)
    );
  }

  // -- export ----------------------------------------------------------------------

  /**
   * Every matching row (read page by page now: an explicit user action) in the
   * server's order, with the visible columns, as CSV (raw values, full precision);
   * with `groups` averaging, one line per group (see `groupsCSV`).
   */
  async toCSV(groups: TrialGroupsModel | null = null): Promise<string> {
    const rows = await this.loader.readAll(EXPORT_PAGE_ROWS);
    if (groups?.enabled) {
      // Averaged over seeds on screen: the group rows the table shows.
      return groupsCSV(this.visibleColumns, groups.rows(rows), groups.spread);
    }
    return trialsCSV(this.visibleColumns, rows);
  }

  private _source: IExperimentViewSource;
  private _stateStore: IViewStateStore | null;
  private _detail: IExperimentDetail | null = null;
  private _detailSignature = '';
  private _error: string | null = null;
  private _loading = false;
  private _unnarrowedTotal = 0;
  private _shownTotal = -1;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _brushSampleKey = '';
  private _querying: Promise<void> | null = null;
  private _queryTicket = 0;
  private _selectedRows = new SelectedTrialRows({
    read: async (q, limit) =>
      (await this._source.getTrialTable(this.name, { q, offset: 0, limit }))
        .trials
  });
  private _deleted = new Set<string>();
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, void>(this);
  private _dataChanged = new Signal<this, void>(this);
}

export namespace ExperimentViewModel {
  export interface IOptions {
    name: string;
    source: IExperimentViewSource;
    stateStore?: IViewStateStore | null;
    /** A view of every experiment's trials (its source reads `GET trials`). */
    crossExperiment?: boolean;
    /** Rows per loader block (tests use small ones). */
    blockRows?: number;
  }
}
