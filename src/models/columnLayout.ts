/**
 * The trial table's columns: which exist (from the table's `columns`), their
 * order, visibility, pins, widths and shown metric statistics, remembered per
 * view in the state DB. The header, the column chooser and the CSV export
 * read it. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ITrialColumns, MetricStat } from '../api/types';
import { buildColumns, ITrialColumn } from './trialColumns';

/** Where column choices are remembered (JupyterLab's IStateDB satisfies it). */
export interface IViewStateStore {
  fetch(id: string): Promise<unknown>;
  save(id: string, value: never): Promise<unknown>;
}

/** The column chooser's choices, remembered per experiment. */
export interface IColumnState {
  /** Column ids in display order; unknown ids are ignored, new ones appended. */
  order: string[];
  hidden: string[];
  /** Pinned to the left, in order. */
  pinned: string[];
  /** Metric statistics shown as columns. */
  stats: MetricStat[];
  widths: Record<string, number>;
  /** Trial rows labelled by their name, or by their variable set (`lr=0.01, seed=1`). */
  nameAs: 'name' | 'variables';
}

export const DEFAULT_COLUMN_STATE: IColumnState = {
  order: [],
  hidden: [],
  pinned: ['name'],
  stats: ['min', 'max', 'last'],
  widths: {},
  nameAs: 'name'
};

export class ColumnLayoutModel {
  constructor(options: ColumnLayoutModel.IOptions) {
    this._withExperiment = options.withExperiment ?? false;
    this._stateStore = options.stateStore ?? null;
    this._stateKey = options.stateKey;
    this._setColumns(buildColumns(this._available, this._buildOptions));
  }

  /** Variable, parameter and metric names the table's source reported. */
  get available(): ITrialColumns {
    return this._available;
  }

  /** Every column that exists, in the user's order (hidden ones included). */
  get allColumns(): readonly ITrialColumn[] {
    if (!this._orderedColumns) {
      const byId = new Map(this._columns.map(column => [column.id, column]));
      const ordered: ITrialColumn[] = [];
      for (const id of this._state.order) {
        const column = byId.get(id);
        if (column) {
          ordered.push(column);
          byId.delete(id);
        }
      }
      ordered.push(...byId.values());
      // Pinned columns come first, in pin order.
      const pinned = this._state.pinned
        .map(id => ordered.find(column => column.id === id))
        .filter((column): column is ITrialColumn => !!column);
      this._orderedColumns = [
        ...pinned,
        ...ordered.filter(column => !pinned.includes(column))
      ];
    }
    return this._orderedColumns;
  }

  /** The columns shown, pinned first. */
  get visibleColumns(): readonly ITrialColumn[] {
    return this.allColumns.filter(column => this.isColumnVisible(column.id));
  }

  column(id: string): ITrialColumn | undefined {
    return this._columnById.get(id);
  }

  isColumnVisible(id: string): boolean {
    const column = this.column(id);
    if (!column || this._state.hidden.includes(id)) {
      return false;
    }
    return column.stat === undefined || this._state.stats.includes(column.stat);
  }

  get state(): Readonly<IColumnState> {
    return this._state;
  }

  /** The layout changed (the header and chooser redraw). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Restore the remembered choices (a broken saved state only loses them). */
  async restore(): Promise<void> {
    if (!this._stateStore) {
      return;
    }
    try {
      const saved = await this._stateStore.fetch(this._stateKey);
      if (saved && typeof saved === 'object') {
        this._state = { ...DEFAULT_COLUMN_STATE, ...(saved as object) };
        this._orderedColumns = null;
      }
    } catch {
      // Keep the defaults.
    }
  }

  /** New names from the server; returns whether they differ from the last ones. */
  setAvailable(available: ITrialColumns): boolean {
    if (sameColumns(this._available, available)) {
      return false;
    }
    this._available = available;
    this._setColumns(buildColumns(available, this._buildOptions));
    return true;
  }

  setColumnVisible(id: string, visible: boolean): void {
    const hidden = this._state.hidden.filter(other => other !== id);
    if (!visible) {
      hidden.push(id);
    }
    this._update({ hidden });
  }

  setStatVisible(stat: MetricStat, visible: boolean): void {
    const stats = this._state.stats.filter(other => other !== stat);
    if (visible) {
      stats.push(stat);
    }
    this._update({ stats });
  }

  setPinned(id: string, pinned: boolean): void {
    const list = this._state.pinned.filter(other => other !== id);
    if (pinned) {
      list.push(id);
    }
    this._update({ pinned: list });
  }

  /** Move a column by `offset` places among all columns. */
  moveColumn(id: string, offset: number): void {
    const order = this.allColumns.map(column => column.id);
    const from = order.indexOf(id);
    if (from === -1) {
      return;
    }
    const to = Math.max(0, Math.min(order.length - 1, from + offset));
    order.splice(from, 1);
    order.splice(to, 0, id);
    this._update({ order });
  }

  /** Label trial rows by name or by variable set. */
  setNameAs(nameAs: IColumnState['nameAs']): void {
    this._update({ nameAs });
  }

  setColumnWidth(id: string, width: number): void {
    this._update({
      widths: { ...this._state.widths, [id]: Math.round(width) }
    });
  }

  reset(): void {
    this._state = { ...DEFAULT_COLUMN_STATE };
    this._orderedColumns = null;
    this._persist();
    this._changed.emit();
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private get _buildOptions(): { experiment: boolean } {
    return { experiment: this._withExperiment };
  }

  private _setColumns(columns: ITrialColumn[]): void {
    this._columns = columns;
    this._columnById = new Map(columns.map(column => [column.id, column]));
    this._orderedColumns = null;
  }

  private _update(update: Partial<IColumnState>): void {
    this._state = { ...this._state, ...update };
    this._orderedColumns = null;
    this._persist();
    this._changed.emit();
  }

  private _persist(): void {
    void this._stateStore
      ?.save(this._stateKey, this._state as never)
      .catch(() => undefined);
  }

  private _withExperiment: boolean;
  private _stateStore: IViewStateStore | null;
  private _stateKey: string;
  private _available: ITrialColumns = {
    variables: [],
    parameters: [],
    metrics: []
  };
  private _columns: ITrialColumn[] = [];
  private _columnById = new Map<string, ITrialColumn>();
  private _orderedColumns: ITrialColumn[] | null = null;
  private _state: IColumnState = { ...DEFAULT_COLUMN_STATE };
  private _changed = new Signal<this, void>(this);
}

export namespace ColumnLayoutModel {
  export interface IOptions {
    /** Where the choices are remembered. */
    stateKey: string;
    stateStore?: IViewStateStore | null;
    /** Add the Experiment column (the view of all trials). */
    withExperiment?: boolean;
  }
}

function sameColumns(a: ITrialColumns, b: ITrialColumns): boolean {
  return (
    a.variables.join('\0') === b.variables.join('\0') &&
    a.parameters.join('\0') === b.parameters.join('\0') &&
    a.metrics.join('\0') === b.metrics.join('\0')
  );
}
