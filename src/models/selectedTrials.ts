/**
 * The rows of the selected trials, kept whatever is scrolled away: the compare
 * pane and the charts read them while the table holds only windows. Fresher
 * copies are taken from loaded rows as they arrive; a live refresh reads the
 * selected trials by name (`name in [...]`, whatever the query), which also
 * tells which were deleted meanwhile. No DOM.
 */
import { ITrialRow } from '../api/types';
import { quote } from './queryTerms';

/** Selected trials read back by name at most (the compare pane shows a few). */
export const MAX_SELECTED_ROWS = 500;

export class SelectedTrialRows {
  constructor(options: SelectedTrialRows.IOptions) {
    this._read = options.read;
  }

  get(name: string): ITrialRow | undefined {
    return this._rows.get(name);
  }

  /** Forget unselected trials; take the loaded copies of selected ones. */
  keep(selected: ReadonlySet<string>, loaded: () => Iterable<ITrialRow>): void {
    for (const name of [...this._rows.keys()]) {
      if (!selected.has(name)) {
        this._rows.delete(name);
      }
    }
    if (!selected.size) {
      return;
    }
    for (const row of loaded()) {
      if (selected.has(row.name)) {
        this._rows.set(row.name, row);
      }
    }
  }

  /** The selected rows held, those with a table index first in that order. */
  ordered(
    selected: ReadonlySet<string>,
    indexOf: (name: string) => number | undefined
  ): ITrialRow[] {
    const names = [...selected];
    const at = new Map(names.map(name => [name, indexOf(name) ?? Infinity]));
    names.sort((a, b) => at.get(a)! - at.get(b)!);
    return names
      .map(name => this._rows.get(name))
      .filter((row): row is ITrialRow => !!row);
  }

  /** Read the selected trials again; resolves to the names no longer found. */
  async recheck(selected: ReadonlySet<string>): Promise<Set<string>> {
    const names = [...selected].slice(0, MAX_SELECTED_ROWS);
    if (!names.length) {
      return new Set();
    }
    const rows = await this._read(
      `name in [${names.map(quote).join(', ')}]`,
      names.length
    );
    for (const row of rows) {
      this._rows.set(row.name, row);
    }
    const found = new Set(rows.map(row => row.name));
    return new Set(names.filter(name => !found.has(name)));
  }

  private _read: SelectedTrialRows.Read;
  private _rows = new Map<string, ITrialRow>();
}

export namespace SelectedTrialRows {
  /** Read the trials a query `name in [...]` names, up to `limit`. */
  export type Read = (q: string, limit: number) => Promise<ITrialRow[]>;

  export interface IOptions {
    read: Read;
  }
}
