/**
 * Keeps an experiment view current: listens to the store's change feed (and
 * any faster live signal, e.g. the comm-fed sidebar model) and refreshes the
 * view at most once per interval, so a burst of writes costs one reload.
 */
import { ISignal } from '@lumino/signaling';

import { IChange } from '../api/types';
import { ITrialbookSource } from '../tokens';
import { ChangeFeed } from './changefeed';
import { Throttle } from './coalescer';

export class ExperimentLiveUpdater {
  constructor(options: ExperimentLiveUpdater.IOptions) {
    this._name = options.name;
    this._refresh = options.refresh;
    this._throttle = new Throttle(
      () => void this._refresh(),
      options.interval ?? 1000
    );
    if (options.source) {
      this._feed = new ChangeFeed({
        source: options.source,
        onChanges: changes => {
          if (changes.some(change => this._concerns(change))) {
            this.schedule();
          }
        },
        onReset: () => this.schedule()
      });
      this._feed.start();
    }
    for (const signal of options.signals ?? []) {
      const slot = () => this.schedule();
      signal.connect(slot);
      this._disconnects.push(() => signal.disconnect(slot));
    }
  }

  /** Refresh soon; calls within the interval are merged. */
  schedule(): void {
    this._throttle.schedule();
  }

  dispose(): void {
    this._throttle.dispose();
    this._feed?.stop();
    this._disconnects.forEach(disconnect => disconnect());
  }

  private _concerns(change: IChange): boolean {
    if (change.experiment_name === this._name) {
      return true;
    }
    const experiments = change.payload?.experiments;
    return Array.isArray(experiments) && experiments.includes(this._name);
  }

  private _name: string;
  private _refresh: () => Promise<void>;
  private readonly _throttle: Throttle;
  private _feed: ChangeFeed | null = null;
  private _disconnects: (() => void)[] = [];
}

export namespace ExperimentLiveUpdater {
  export interface IOptions {
    name: string;
    refresh: () => Promise<void>;
    /** The change feed's source; omit to rely on `signals` only. */
    source?: ITrialbookSource;
    /** Other signals meaning "this experiment changed". */
    signals?: ISignal<unknown, unknown>[];
    /** Minimum milliseconds between refreshes. */
    interval?: number;
  }
}
