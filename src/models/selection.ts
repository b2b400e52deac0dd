/**
 * Which trials are selected in a table: click, ctrl-click and shift-click
 * ranges in the table's order. Charts and the compare pane follow it. No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

export interface ISelectGesture {
  /** Extend from the anchor (shift-click). */
  range?: boolean;
  /** Add or remove one row (ctrl/cmd-click). */
  toggle?: boolean;
}

export class SelectionModel {
  constructor(options: SelectionModel.IOptions) {
    this._order = options.order;
    this._exists = options.exists;
  }

  /** Selected trial names; a new set on every change (views compare by identity). */
  get names(): ReadonlySet<string> {
    return this._names;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A click on a row: select it alone, toggle it, or extend to it. */
  select(name: string, gesture: ISelectGesture = {}): void {
    if (gesture.range && this._anchor !== null) {
      const order = this._order();
      const from = order.indexOf(this._anchor);
      const to = order.indexOf(name);
      if (from !== -1 && to !== -1) {
        const [start, end] = from < to ? [from, to] : [to, from];
        const range = order.slice(start, end + 1);
        this._set(
          gesture.toggle ? new Set([...this._names, ...range]) : new Set(range)
        );
        return;
      }
    }
    if (gesture.toggle) {
      const names = new Set(this._names);
      if (names.has(name)) {
        names.delete(name);
      } else {
        names.add(name);
      }
      this._anchor = name;
      this._set(names);
    } else {
      this._anchor = name;
      this._set(new Set([name]));
    }
  }

  setNames(names: Iterable<string>): void {
    this._anchor = null;
    this._set(new Set([...names].filter(name => this._exists(name))));
  }

  clear(): void {
    if (this._names.size) {
      this.setNames([]);
    }
  }

  /** Drop trials that no longer exist (after a reload); notifies only if any went. */
  prune(): void {
    const kept = [...this._names].filter(name => this._exists(name));
    if (kept.length !== this._names.size) {
      this._set(new Set(kept));
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _set(names: Set<string>): void {
    this._names = names;
    this._changed.emit();
  }

  private _order: () => readonly string[];
  private _exists: (name: string) => boolean;
  private _names = new Set<string>();
  private _anchor: string | null = null;
  private _changed = new Signal<this, void>(this);
}

export namespace SelectionModel {
  export interface IOptions {
    /** Trial names in the table's order (for shift-click ranges). */
    order(): readonly string[];
    /** Whether a trial is still in the table. */
    exists(name: string): boolean;
  }
}
