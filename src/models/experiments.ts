import { ISignal, Signal } from '@lumino/signaling';

import { IExperimentSummary } from '../api/types';
import { IExperimentListModel, IExperimentSource } from '../tokens';

/**
 * The experiment list: loads from a source, filters by a query, and tells
 * views when anything changed. No DOM.
 */
export class ExperimentListModel implements IExperimentListModel {
  constructor(source: IExperimentSource) {
    this._source = source;
  }

  get experiments(): readonly IExperimentSummary[] {
    return this._experiments;
  }

  get visibleExperiments(): readonly IExperimentSummary[] {
    const needle = this._query.trim().toLocaleLowerCase();
    if (!needle) {
      return this._experiments;
    }
    return this._experiments.filter(experiment =>
      [experiment.name, experiment.hypothesis, experiment.description].some(
        text => text?.toLocaleLowerCase().includes(needle)
      )
    );
  }

  get query(): string {
    return this._query;
  }

  set query(value: string) {
    if (value !== this._query) {
      this._query = value;
      this._changed.emit();
    }
  }

  get loading(): boolean {
    return this._loading;
  }

  get error(): string | null {
    return this._error;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Reload from the source. Calls made while a load is running share it, so a
   * burst of refresh requests costs one request.
   */
  refresh(): Promise<void> {
    if (!this._pending) {
      this._pending = this._load().finally(() => {
        this._pending = null;
      });
    }
    return this._pending;
  }

  private async _load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      const experiments = await this._source.listExperiments();
      this._error = null;
      if (!sameExperiments(this._experiments, experiments)) {
        this._experiments = experiments;
      }
    } catch (reason) {
      this._error = reason instanceof Error ? reason.message : String(reason);
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  private readonly _source: IExperimentSource;
  private _experiments: readonly IExperimentSummary[] = [];
  private _query = '';
  private _loading = false;
  private _error: string | null = null;
  private _pending: Promise<void> | null = null;
  private readonly _changed = new Signal<this, void>(this);
}

/** Whether two loads carry the same data, so views keep their identity. */
function sameExperiments(
  a: readonly IExperimentSummary[],
  b: readonly IExperimentSummary[]
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
