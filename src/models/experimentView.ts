/**
 * The state of one experiment view, combining its parts: the column layout
 * (`columns`), the query (`query`: typed text, filter and brush terms, which
 * the server evaluates), and here the loaded trials, sort and selection.
 * Views subscribe to `changed` or to the part they draw; no DOM here.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IExperimentDetail,
  ITrialColumns,
  ITrialDetail,
  ITrialRow,
  MetricStat,
  Status
} from '../api/types';
import { queryErrorOf } from '../api/client';
import {
  ColumnLayoutModel,
  IColumnState,
  IViewStateStore
} from './columnLayout';
import { toCSV } from './csv';
import { QueryModel } from './query';
import { ISelectGesture, SelectionModel } from './selection';
import { BrushFilter, ColumnFilter } from './queryTerms';
import {
  CellValue,
  compareCells,
  formatCell,
  isMissing,
  ITrialColumn
} from './trialColumns';

/** What the view reads over REST; the REST client satisfies it. */
export interface IExperimentViewSource {
  /** `null` where the view has no one experiment (all trials). */
  getExperiment(name: string): Promise<IExperimentDetail | null>;
  getTrialTable(
    experimentName: string,
    query?: {
      offset?: number;
      limit?: number;
      q?: string;
      search?: string;
      statuses?: Status[];
    }
  ): Promise<{ columns: ITrialColumns; trials: ITrialRow[]; total?: number }>;
  getTrial?(name: string): Promise<ITrialDetail>;
}

export interface ISortState {
  column: string;
  descending: boolean;
}

export type { BrushFilter, ColumnFilter } from './queryTerms';
export type { IColumnState, IViewStateStore } from './columnLayout';
export { DEFAULT_COLUMN_STATE } from './columnLayout';
export type { ISelectGesture } from './selection';

/** Rows painted before the whole table arrives (the server pages in SQL). */
export const FIRST_PAGE_ROWS = 500;

/**
 * The whole table is read in pages of this many rows: the server caps one
 * response (10,000 rows unless `limit` asks for more) so that no request holds
 * it for long.
 */
export const WHOLE_TABLE_PAGE_ROWS = 10_000;

type TableQuery = NonNullable<
  Parameters<IExperimentViewSource['getTrialTable']>[1]
>;
type TableResponse = Awaited<
  ReturnType<IExperimentViewSource['getTrialTable']>
>;

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
    this.trialSelection = new SelectionModel({
      order: () => this.visibleRows.map(row => row.name),
      exists: name => this._byName.has(name)
    });
    this.trialSelection.changed.connect(() => {
      this._changed.emit();
      this._selectionChanged.emit();
    }, this);
    this.query = new QueryModel({
      columnOf: id => this.column(id),
      scope: options.crossExperiment ? '*all-trials*' : options.name,
      historyStore: this._stateStore
    });
    this.query.changed.connect(() => void this._requery(), this);
  }

  /** What narrows the table: typed query, filter and brush terms, statuses, search. */
  readonly query: QueryModel;

  /** Which columns exist and how the user arranged them. */
  readonly columns: ColumnLayoutModel;

  /** Which trials are selected. */
  readonly trialSelection: SelectionModel;

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

  /** Every trial, as the server sent them (oldest first). */
  /**
   * The experiment's trial count; more than `rows.length` while only the
   * first page is loaded.
   */
  get total(): number {
    return Math.max(this._total, this._rows.length);
  }

  /** Only the first page is here; the whole table is on its way. */
  get loadingAll(): boolean {
    return this._partial;
  }

  get rows(): readonly ITrialRow[] {
    return this._rows;
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

  /** Trials the server matched to the query, sorted. */
  get visibleRows(): readonly ITrialRow[] {
    if (!this._visibleRows) {
      this._visibleRows = this._computeVisibleRows();
    }
    return this._visibleRows;
  }

  get sort(): ISortState | null {
    return this._sort;
  }

  get filters(): ReadonlyMap<string, ColumnFilter> {
    return this.query.filters;
  }

  get brushes(): ReadonlyMap<string, BrushFilter> {
    return this.query.brushes;
  }

  /** Statuses shown; empty means all. */
  get statuses(): ReadonlySet<Status> {
    return this.query.statuses;
  }

  /** The server's search rule: the trial name, or a variable written key=value. */
  get search(): string {
    return this.query.search;
  }

  set search(value: string) {
    this.query.setSearch(value);
  }

  /** A request for the query's rows is on its way. */
  get querying(): boolean {
    return this._querying !== null;
  }

  /** Resolves once the server has answered the latest query (tests, journeys). */
  async settled(): Promise<void> {
    while (this._querying || this._pending) {
      await (this._querying ?? this._pending);
    }
  }

  /** Selected trial names. */
  get selection(): ReadonlySet<string> {
    return this.trialSelection.names;
  }

  /** Selected trials in table order (visible ones first, then hidden ones). */
  get selectedRows(): ITrialRow[] {
    const visible = this.visibleRows.filter(row =>
      this.selection.has(row.name)
    );
    const hidden = this._rows.filter(
      row => this.selection.has(row.name) && !visible.includes(row)
    );
    return [...visible, ...hidden];
  }

  /** Status → trial count, over every trial. */
  get statusCounts(): Record<Status, number> {
    const counts: Record<Status, number> = {
      InProgress: 0,
      Completed: 0,
      Failed: 0,
      Stopped: 0,
      Interrupted: 0
    };
    for (const row of this._rows) {
      if (row.status) {
        counts[row.status] += 1;
      }
    }
    return counts;
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
    Signal.clearData(this);
  }

  // -- loading ---------------------------------------------------------------

  /** Restore the remembered column state, then load. */
  async initialize(): Promise<void> {
    void this.query.restoreHistory();
    await this.columns.restore();
    await this.refresh();
  }

  /**
   * Reload the experiment and its trials. Sort, filters, brushes, selection
   * and column choices are kept; selected trials that no longer exist drop out.
   * Concurrent calls share one request.
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

  /** Replace the data directly (tests, benchmarks, inline views). */
  setData(
    detail: IExperimentDetail | null,
    table: { columns: ITrialColumns; trials: ITrialRow[] }
  ): void {
    this._detail = detail;
    // A live refresh that changed nothing keeps every view (and chart) as is.
    const signature = rowsSignature(table.trials);
    const columnsChanged = this.columns.setAvailable(table.columns);
    if (signature === this._signature && !columnsChanged) {
      this._changed.emit();
      return;
    }
    this._signature = signature;
    this._rows = table.trials;
    this._byName = new Map(this._rows.map(row => [row.name, row]));
    this._invalidateRows();
    this._dataChanged.emit();
    this.trialSelection.prune();
  }

  /** The distinct values a variable takes among the loaded trials (for completion). */
  variableValues(variable: string): CellValue[] {
    const values = new Set<CellValue>();
    for (const row of this._rows) {
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

  row(name: string): ITrialRow | undefined {
    return this._byName.get(name);
  }

  /**
   * The first load paints the first page (creation order, as the unsorted
   * table shows it) and then loads the whole table: a 10,000-trial table takes
   * seconds to serve, its first 500 rows milliseconds. Later loads (live
   * refreshes) read the whole table at once.
   */
  private async _load(): Promise<void> {
    this._loading = true;
    try {
      const first = !this._loadedOnce;
      const [detail, table] = await Promise.all([
        this._source.getExperiment(this.name),
        first
          ? this._source.getTrialTable(this.name, { limit: FIRST_PAGE_ROWS })
          : this._wholeTable({})
      ]);
      if (this._isDisposed) {
        return;
      }
      this._loadedOnce = true;
      this._total = table.total ?? table.trials.length;
      this._partial = table.trials.length < this._total;
      this._error = null;
      this._loading = false;
      this.setData(detail, table);
      if (this._partial) {
        const whole = await this._wholeTable({});
        if (this._isDisposed) {
          return;
        }
        this._partial = false;
        this._total = whole.total ?? whole.trials.length;
        this.setData(detail, whole);
      }
      if (this.query.active) {
        // A live refresh can change which trials match.
        await this._requery();
      }
      if (this._openedTrial) {
        void this.openTrial(this._openedTrial);
      }
    } catch (reason) {
      this._loading = false;
      this._partial = false;
      this._error = reason instanceof Error ? reason.message : String(reason);
      this._changed.emit();
    }
  }

  /** Every row the query matches, read page by page (see WHOLE_TABLE_PAGE_ROWS). */
  private async _wholeTable(query: TableQuery): Promise<TableResponse> {
    const trials: ITrialRow[] = [];
    for (;;) {
      const page = await this._source.getTrialTable(this.name, {
        ...query,
        offset: trials.length,
        limit: WHOLE_TABLE_PAGE_ROWS
      });
      trials.push(...page.trials);
      const total = page.total ?? trials.length;
      if (
        this._isDisposed ||
        page.trials.length < WHOLE_TABLE_PAGE_ROWS ||
        trials.length >= total
      ) {
        return { ...page, trials, total: Math.max(total, trials.length) };
      }
    }
  }

  // -- sort and filters --------------------------------------------------------

  /** Sort by a column; `null` restores the server's order (oldest first). */
  setSort(sort: ISortState | null): void {
    this._sort = sort;
    this._invalidateRows();
  }

  /** Ascending, then descending, then unsorted: a header click. */
  cycleSort(column: string): void {
    const current = this._sort;
    if (!current || current.column !== column) {
      this.setSort({ column, descending: false });
    } else if (!current.descending) {
      this.setSort({ column, descending: true });
    } else {
      this.setSort(null);
    }
  }

  setFilter(column: string, filter: ColumnFilter | null): void {
    this.query.setFilter(column, filter);
  }

  setBrush(column: string, brush: BrushFilter | null): void {
    const brushes = new Map(this.query.brushes);
    if (brush === null) {
      brushes.delete(column);
    } else {
      brushes.set(column, brush);
    }
    this.setBrushes(brushes);
  }

  /** Replace every brush at once (a chart reports all its axes together). */
  setBrushes(brushes: ReadonlyMap<string, BrushFilter>): void {
    this.query.setBrushes(brushes);
  }

  clearBrushes(): void {
    this.setBrushes(new Map());
  }

  setStatuses(statuses: Iterable<Status>): void {
    this.query.setStatuses(statuses);
  }

  clearFilters(): void {
    this.query.clear();
  }

  /**
   * Ask the server which trials match the query. The latest request wins; a
   * refused query keeps the last answer and places the error in the bar.
   */
  private async _requery(): Promise<void> {
    const ticket = ++this._queryTicket;
    if (!this.query.active) {
      this._matched = null;
      this._querying = null;
      this.query.settle(null);
      this._invalidateRows();
      return;
    }
    const request = this._wholeTable(this.query.narrowing);
    const done = request.then(
      () => undefined,
      () => undefined
    );
    this._querying = done;
    this._changed.emit();
    try {
      const table = await request;
      if (ticket !== this._queryTicket || this._isDisposed) {
        return;
      }
      this._matched = table.trials;
      this.query.settle(null);
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
        this._querying = null;
      }
    }
    this._invalidateRows();
  }

  private _computeVisibleRows(): ITrialRow[] {
    const sort = this._sort;
    if (this.query.active && !this._matched) {
      // The server has not answered yet: show no unmatched trial.
      return [];
    }
    if (this._partial && sort && !this._matched) {
      // Sorting a page would show the wrong trials: wait for all.
      return [];
    }
    // The server's rows for a query; the local ones (fresher on live updates) otherwise.
    const rows = this._matched
      ? this._matched.map(row => this._byName.get(row.name) ?? row)
      : this._rows;
    const column = sort ? this.column(sort.column) : undefined;
    if (sort && column) {
      // Read each value once: a 10,000-row sort then costs one pass of reads.
      const keyed = rows.map(row => ({ row, value: column.value(row) }));
      const direction = sort.descending ? -1 : 1;
      keyed.sort((a, b) => {
        const aMissing = isMissing(a.value);
        const bMissing = isMissing(b.value);
        if (aMissing || bMissing) {
          return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
        }
        return direction * compareCells(a.value, b.value);
      });
      return keyed.map(item => item.row);
    }
    return rows;
  }

  // -- selection ----------------------------------------------------------------

  /** A click on a row: select it alone, toggle it, or extend to it. */
  select(name: string, gesture: ISelectGesture = {}): void {
    this.trialSelection.select(name, gesture);
  }

  setSelection(names: Iterable<string>): void {
    this.trialSelection.setNames(names);
  }

  clearSelection(): void {
    this.trialSelection.clear();
  }

  // -- detail pane ----------------------------------------------------------------

  /** The trial shown in the detail pane, or null (the pane then compares the selection). */
  get openedTrial(): string | null {
    return this._openedTrial;
  }

  get trialDetail(): ITrialDetail | null {
    return this._trialDetail;
  }

  get detailChanged(): ISignal<this, void> {
    return this._detailChanged;
  }

  /** Show one trial's detail; `null` closes it. Reloads on live updates. */
  async openTrial(name: string | null): Promise<void> {
    this._openedTrial = name;
    if (name !== this._trialDetail?.name) {
      this._trialDetail = null;
    }
    this._detailChanged.emit();
    if (name === null || !this._source.getTrial) {
      return;
    }
    try {
      const detail = await this._source.getTrial(name);
      if (this._openedTrial === name) {
        this._trialDetail = detail;
        this._detailChanged.emit();
      }
    } catch {
      // A trial deleted meanwhile: the pane shows the table row only.
    }
  }

  // -- columns (delegated to the layout model) ------------------------------------

  setColumnVisible(id: string, visible: boolean): void {
    this.columns.setColumnVisible(id, visible);
  }

  setStatVisible(stat: MetricStat, visible: boolean): void {
    this.columns.setStatVisible(stat, visible);
  }

  setPinned(id: string, pinned: boolean): void {
    this.columns.setPinned(id, pinned);
  }

  moveColumn(id: string, offset: number): void {
    this.columns.moveColumn(id, offset);
  }

  setNameAs(nameAs: IColumnState['nameAs']): void {
    this.columns.setNameAs(nameAs);
  }

  setColumnWidth(id: string, width: number): void {
    this.columns.setColumnWidth(id, width);
  }

  resetColumns(): void {
    this.columns.reset();
  }

  // -- export ----------------------------------------------------------------------

  /** The visible rows and columns as CSV (raw values, full precision). */
  toCSV(): string {
    const columns = this.visibleColumns;
    return toCSV(
      columns.map(column => column.label),
      this.visibleRows.map(row =>
        columns.map(column => {
          const value = column.value(row);
          if (typeof value === 'number' || typeof value === 'boolean') {
            return Number.isNaN(value) ? 'NaN' : value;
          }
          return value === null ? null : formatCell(value, 'name');
        })
      )
    );
  }

  private _invalidateRows(): void {
    this._visibleRows = null;
    this._changed.emit();
  }

  private _source: IExperimentViewSource;
  private _stateStore: IViewStateStore | null;
  private _detail: IExperimentDetail | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _loadedOnce = false;
  private _partial = false;
  private _total = 0;
  private _pending: Promise<void> | null = null;
  private _again = false;
  private _rows: ITrialRow[] = [];
  private _signature = '';
  private _byName = new Map<string, ITrialRow>();
  private _visibleRows: ITrialRow[] | null = null;
  private _sort: ISortState | null = null;
  private _matched: ITrialRow[] | null = null;
  private _querying: Promise<void> | null = null;
  private _queryTicket = 0;
  private _openedTrial: string | null = null;
  private _trialDetail: ITrialDetail | null = null;
  private _detailChanged = new Signal<this, void>(this);
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
  }
}

/** What a refresh can change in a row, cheaply: its identity, status and data counts. */
function rowsSignature(rows: readonly ITrialRow[]): string {
  const parts: string[] = [];
  for (const row of rows) {
    let points = 0;
    for (const summary of Object.values(row.metrics)) {
      points += summary.count;
    }
    parts.push(
      `${row.name}|${row.status}|${row.last_activity}|${row.end_time}|${points}|${row.objective_value}`
    );
  }
  return parts.join('\n');
}
