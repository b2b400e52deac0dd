/**
 * The trial shown in the detail pane: its name, its table row (kept while the
 * table scrolls it out of the loaded windows) and its detail from the server.
 * No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ITrialDetail, ITrialRow } from '../api/types';

export class OpenedTrialModel {
  constructor(options: OpenedTrialModel.IOptions) {
    this._getTrial = options.getTrial;
  }

  /** The opened trial's name, or null (the pane then compares the selection). */
  get name(): string | null {
    return this._name;
  }

  /** Its table row as it was when opened (or last seen). */
  get row(): ITrialRow | null {
    return this._row;
  }

  get detail(): ITrialDetail | null {
    return this._detail;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Show one trial (with its row when loaded); `null` closes the pane. */
  async open(name: string | null, row?: ITrialRow): Promise<void> {
    this._name = name;
    this._row = name
      ? (row ?? (this._row?.name === name ? this._row : null))
      : null;
    if (name !== this._detail?.name) {
      this._detail = null;
    }
    this._changed.emit();
    if (name === null || !this._getTrial) {
      return;
    }
    try {
      const detail = await this._getTrial(name);
      if (this._name === name) {
        this._detail = detail;
        this._changed.emit();
      }
    } catch {
      // A trial deleted meanwhile: the pane shows the table row only.
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _getTrial?: (name: string) => Promise<ITrialDetail>;
  private _name: string | null = null;
  private _row: ITrialRow | null = null;
  private _detail: ITrialDetail | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace OpenedTrialModel {
  export interface IOptions {
    /** Reads a trial's detail; without it the pane shows the row only. */
    getTrial?(name: string): Promise<ITrialDetail>;
  }
}
