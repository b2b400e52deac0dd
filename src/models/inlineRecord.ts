/**
 * The state of an inline trial or component card: loaded over REST, and
 * reloaded (at most once a second) when a kernel's comm reports a write to it.
 * No DOM.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IMetricSeriesResponse,
  IMetricSummary,
  ParameterValue,
  Status
} from '../api/types';
import { ILiveUpdate } from '../tokens';
import { Throttle } from './coalescer';
import { decodeJSONNumber, TAIL_LENGTH } from './metrics';

export interface IInlineRecordSource {
  getTrial(name: string): Promise<{
    status: Status | null;
    variables: Record<string, ParameterValue> | null;
    components: {
      name: string;
      parameters: Record<string, ParameterValue>;
      metrics: Record<string, IMetricSummary>;
    }[];
  }>;
  getComponent(name: string): Promise<{
    status: Status | null;
    kind: string | null;
    parameters: Record<string, ParameterValue>;
    metrics: Record<string, IMetricSummary>;
    trial_names: string[];
  }>;
  getMetricSeries(query: {
    trials?: string[];
    components?: string[];
    names: string[];
    maxPoints?: number;
  }): Promise<IMetricSeriesResponse>;
}

/** What a trial or component card shows. */
export interface IInlineRecord {
  status: Status | null;
  kind: string | null;
  variables: Record<string, ParameterValue> | null;
  parameters: Record<string, ParameterValue>;
  metrics: Record<string, IMetricSummary>;
  /** Recent values of each metric, for sparklines. */
  sparklines: Record<string, number[]>;
  trials: string[];
}

export class InlineRecordModel {
  constructor(options: InlineRecordModel.IOptions) {
    this.kind = options.kind;
    this.name = options.name;
    this._source = options.source;
    this._reload = new Throttle(
      () => void this.load(),
      options.interval ?? 1000
    );
  }

  readonly kind: 'trial' | 'component';
  readonly name: string;

  get record(): IInlineRecord | null {
    return this._record;
  }

  get error(): string | null {
    return this._error;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  async load(): Promise<void> {
    try {
      const record =
        this.kind === 'trial'
          ? await this._loadTrial()
          : await this._loadComponent();
      const names = Object.keys(record.metrics);
      if (names.length) {
        const response = await this._source.getMetricSeries({
          [this.kind === 'trial' ? 'trials' : 'components']: [this.name],
          names,
          maxPoints: TAIL_LENGTH
        });
        for (const series of response.series) {
          record.sparklines[series.metric] = series.y.map(
            value => decodeJSONNumber(value) ?? NaN
          );
        }
      }
      this._record = record;
      this._error = null;
    } catch (reason) {
      this._error = reason instanceof Error ? reason.message : String(reason);
    }
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** Reload when the comm reports a write to this trial or component. */
  applyLiveUpdate(update: ILiveUpdate): void {
    const concerns = update.events.some(event => {
      if (!('component' in event)) {
        return event.kind === 'trial' && event.trial === this.name;
      }
      return this.kind === 'component'
        ? event.component === this.name
        : event.trials.includes(this.name);
    });
    if (concerns || update.resync) {
      this._reload.schedule();
    }
  }

  dispose(): void {
    this._disposed = true;
    this._reload.dispose();
    Signal.clearData(this);
  }

  private async _loadTrial(): Promise<IInlineRecord> {
    const trial = await this._source.getTrial(this.name);
    const parameters: Record<string, ParameterValue> = {};
    const metrics: Record<string, IMetricSummary> = {};
    for (const component of trial.components) {
      Object.assign(parameters, component.parameters);
      for (const [metric, summary] of Object.entries(component.metrics)) {
        metrics[metric] ??= summary;
      }
    }
    return {
      status: trial.status,
      kind: null,
      variables: trial.variables,
      parameters,
      metrics,
      sparklines: {},
      trials: [this.name]
    };
  }

  private async _loadComponent(): Promise<IInlineRecord> {
    const component = await this._source.getComponent(this.name);
    return {
      status: component.status,
      kind: component.kind,
      variables: null,
      parameters: component.parameters,
      metrics: component.metrics,
      sparklines: {},
      trials: component.trial_names
    };
  }

  private readonly _source: IInlineRecordSource;
  private readonly _reload: Throttle;
  private _record: IInlineRecord | null = null;
  private _error: string | null = null;
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
}

export namespace InlineRecordModel {
  export interface IOptions {
    kind: 'trial' | 'component';
    name: string;
    source: IInlineRecordSource;
    /** Minimum milliseconds between live reloads. */
    interval?: number;
  }
}
