/**
 * The comm protocol between the kernel library and the frontend.
 *
 * Mirrored by `trialbook/kernel/protocol.py`; documented in `docs/protocol.md`.
 * Bump `PROTOCOL_VERSION` with any incompatible change.
 */

export const PROTOCOL_VERSION = 1;
export const TARGET_NAME = 'trialbook';

/** A number that may have been non-finite in the kernel. */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

// -- kernel → frontend --------------------------------------------------------

export interface IHelloMessage {
  type: 'hello';
  protocol: number;
  session: string;
  /** The last batch sent; the next batch is `seq + 1`. */
  seq: number;
  library_version: string;
  store: string;
}

export interface IExperimentEvent {
  kind: 'experiment';
  action: 'created' | 'updated' | 'deleted';
  experiment: string;
}

export interface ITrialEvent {
  kind: 'trial';
  action: 'created' | 'updated' | 'deleted';
  experiment: string;
  trial: string;
}

export interface IComponentEvent {
  kind: 'component';
  action: 'created' | 'updated' | 'deleted' | 'associated' | 'disassociated';
  component: string;
  trials: string[];
  experiments: string[];
}

export interface IStatusEvent {
  kind: 'status';
  component: string;
  trials: string[];
  experiments: string[];
  status: string;
  status_message: string | null;
  /** Epoch seconds. */
  start_time: number | null;
  end_time: number | null;
}

export interface IParametersEvent {
  kind: 'parameters';
  component: string;
  trials: string[];
  experiments: string[];
  parameters: Record<string, number | string | boolean>;
}

/**
 * New points of one metric: indices into the message's binary buffers, each
 * holding `count` little-endian float64 values (NaN and ±Infinity included).
 * Decode with `decodeSeries`.
 */
export interface IMetricSeriesDelta {
  count: number;
  steps: number;
  times: number;
  values: number;
}

export interface IMetricsEvent {
  kind: 'metrics';
  component: string;
  trials: string[];
  experiments: string[];
  series: Record<string, IMetricSeriesDelta>;
}

export interface IArtifactEvent {
  kind: 'artifact';
  component: string;
  trials: string[];
  experiments: string[];
  direction: 'input' | 'output';
  name: string;
  media_type: string | null;
  value: string;
}

export type Event =
  | IExperimentEvent
  | ITrialEvent
  | IComponentEvent
  | IStatusEvent
  | IParametersEvent
  | IMetricsEvent
  | IArtifactEvent;

export interface IBatchMessage {
  type: 'batch';
  session: string;
  seq: number;
  events: Event[];
}

export interface ILiveComponent {
  component: string;
  trials: string[];
  experiments: string[];
  status: string;
  /** The most recent points of each metric. */
  latest: Record<string, IMetricSeriesDelta>;
}

export interface ISnapshotMessage {
  type: 'snapshot';
  session: string;
  seq: number;
  components: ILiveComponent[];
}

export interface IErrorMessage {
  type: 'error';
  session: string;
  message: string;
}

export type KernelMessage =
  IHelloMessage | IBatchMessage | ISnapshotMessage | IErrorMessage;

// -- frontend → kernel --------------------------------------------------------

export interface IFrontendHello {
  type: 'hello';
  protocol: number;
}

export interface ISnapshotRequest {
  type: 'snapshot_request';
}

export type FrontendMessage = IFrontendHello | ISnapshotRequest;

/** Points of one metric, decoded from a message's buffers. */
export interface IDecodedSeries {
  steps: Float64Array;
  /** Epoch seconds. */
  times: Float64Array;
  values: Float64Array;
}

/**
 * Read a series delta out of a comm message's buffers (copied, so the result
 * is aligned whatever the buffer's offset in the websocket frame).
 */
export function decodeSeries(
  delta: IMetricSeriesDelta,
  buffers: ReadonlyArray<ArrayBuffer | ArrayBufferView> | undefined
): IDecodedSeries {
  const column = (index: number): Float64Array => {
    const buffer = buffers?.[index];
    if (buffer === undefined) {
      throw new Error(`trialbook comm message lacks buffer ${index}`);
    }
    const bytes = ArrayBuffer.isView(buffer)
      ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
      : new Uint8Array(buffer);
    if (bytes.byteLength !== delta.count * 8) {
      throw new Error(
        `trialbook comm buffer ${index} holds ${bytes.byteLength} bytes, expected ${delta.count * 8}`
      );
    }
    const values = new Float64Array(delta.count);
    new Uint8Array(values.buffer).set(bytes);
    return values;
  };
  return {
    steps: column(delta.steps),
    times: column(delta.times),
    values: column(delta.values)
  };
}

/** Decode a wire number: the kernel sends non-finite values as strings. */
export function decodeNumber(value: WireNumber): number {
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return value;
  }
}
