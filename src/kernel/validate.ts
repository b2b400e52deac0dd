/**
 * Validation of comm messages at the boundary: the kernel is another program,
 * so every message is checked before the rest of the frontend trusts its shape.
 * A malformed message (or event) is dropped with a console warning.
 */

import {
  decodeSeries,
  Event,
  IDecodedSeries,
  IErrorMessage,
  IHelloMessage,
  ILiveComponent,
  IMetricSeriesDelta,
  IMetricsEvent
} from './protocol';

type Json = Record<string, unknown>;
type Buffers = ReadonlyArray<ArrayBuffer | ArrayBufferView> | undefined;

/** A metrics event with its points read out of the message's buffers. */
export interface ILiveMetricsEvent extends Omit<IMetricsEvent, 'series'> {
  series: Record<string, IDecodedSeries>;
}

/** A batch event as the rest of the frontend sees it (points decoded). */
export type LiveEvent = Exclude<Event, IMetricsEvent> | ILiveMetricsEvent;

/** A snapshot item with its latest points decoded. */
export interface ILiveSnapshotItem extends Omit<ILiveComponent, 'latest'> {
  latest: Record<string, IDecodedSeries>;
}

/** A kernel message, validated, with binary points decoded. */
export type ParsedMessage =
  | IHelloMessage
  | IErrorMessage
  | { type: 'batch'; session: string; seq: number; events: LiveEvent[] }
  | {
      type: 'snapshot';
      session: string;
      seq: number;
      components: ILiveSnapshotItem[];
    };

/**
 * The message as the protocol types describe it, or `null` (after a warning)
 * when it is malformed. Malformed events inside a valid batch are dropped one
 * by one so a single bad event does not lose the others.
 */
export function parseKernelMessage(
  data: unknown,
  buffers?: Buffers
): ParsedMessage | null {
  if (!isObject(data)) {
    return reject('not an object', data);
  }
  switch (data.type) {
    case 'hello':
      if (
        !isInteger(data.protocol) ||
        !isString(data.session) ||
        !isSeq(data.seq)
      ) {
        return reject('bad hello', data);
      }
      return {
        type: 'hello',
        protocol: data.protocol,
        session: data.session,
        seq: data.seq,
        library_version: isString(data.library_version)
          ? data.library_version
          : '',
        store: isString(data.store) ? data.store : ''
      };
    case 'batch': {
      if (
        !isString(data.session) ||
        !isSeq(data.seq) ||
        !Array.isArray(data.events)
      ) {
        return reject('bad batch', data);
      }
      const events: LiveEvent[] = [];
      for (const event of data.events) {
        const decoded = isEvent(event) ? decodeEvent(event, buffers) : null;
        if (decoded) {
          events.push(decoded);
        } else {
          console.warn('Trialbook: ignoring a malformed comm event', event);
        }
      }
      return { type: 'batch', session: data.session, seq: data.seq, events };
    }
    case 'snapshot': {
      if (
        !isString(data.session) ||
        !isSeq(data.seq) ||
        !Array.isArray(data.components)
      ) {
        return reject('bad snapshot', data);
      }
      const components: ILiveSnapshotItem[] = [];
      for (const item of data.components) {
        const latest = isLiveComponent(item)
          ? decodeAll((item as ILiveComponent).latest, buffers)
          : null;
        if (latest) {
          components.push({ ...(item as ILiveComponent), latest });
        } else {
          console.warn('Trialbook: ignoring a malformed snapshot item', item);
        }
      }
      return {
        type: 'snapshot',
        session: data.session,
        seq: data.seq,
        components
      };
    }
    case 'error':
      if (!isString(data.message)) {
        return reject('bad error', data);
      }
      return {
        type: 'error',
        session: isString(data.session) ? data.session : '',
        message: data.message
      };
    default:
      return reject('unknown type', data);
  }
}

function reject(why: string, data: unknown): null {
  console.warn(`Trialbook: ignoring a malformed comm message (${why})`, data);
  return null;
}

function isEvent(value: unknown): boolean {
  if (!isObject(value)) {
    return false;
  }
  switch (value.kind) {
    case 'experiment':
      return isString(value.action) && isString(value.experiment);
    case 'trial':
      return (
        isString(value.action) &&
        isString(value.experiment) &&
        isString(value.trial)
      );
    case 'component':
      return isString(value.action) && isMembership(value);
    case 'status':
      return (
        isMembership(value) &&
        isString(value.status) &&
        isOptional(value.status_message, isString) &&
        isOptional(value.start_time, isNumber) &&
        isOptional(value.end_time, isNumber)
      );
    case 'parameters':
      return (
        isMembership(value) &&
        isObject(value.parameters) &&
        Object.values(value.parameters).every(
          item => isString(item) || isNumber(item) || typeof item === 'boolean'
        )
      );
    case 'metrics':
      return (
        isMembership(value) &&
        isObject(value.series) &&
        Object.values(value.series).every(isSeriesDelta)
      );
    case 'artifact':
      return (
        isMembership(value) &&
        (value.direction === 'input' || value.direction === 'output') &&
        isString(value.name) &&
        isString(value.value)
      );
    default:
      return false;
  }
}

/** An event with its metric points decoded, or `null` if they are bad. */
function decodeEvent(event: Event, buffers: Buffers): LiveEvent | null {
  if (event.kind !== 'metrics') {
    return event;
  }
  const series = decodeAll(event.series, buffers);
  return series ? { ...event, series } : null;
}

function decodeAll(
  deltas: Record<string, IMetricSeriesDelta>,
  buffers: Buffers
): Record<string, IDecodedSeries> | null {
  const decoded: Record<string, IDecodedSeries> = {};
  try {
    for (const [metric, delta] of Object.entries(deltas)) {
      decoded[metric] = decodeSeries(delta, buffers);
    }
  } catch (reason) {
    console.warn('Trialbook: bad metric buffers', reason);
    return null;
  }
  return decoded;
}

function isLiveComponent(value: unknown): boolean {
  return (
    isObject(value) &&
    isMembership(value) &&
    isString(value.status) &&
    isObject(value.latest) &&
    Object.values(value.latest).every(isSeriesDelta)
  );
}

/** `component`, `trials` and `experiments`, present on component-level events. */
function isMembership(value: Json): boolean {
  return (
    isString(value.component) &&
    isStringArray(value.trials) &&
    isStringArray(value.experiments)
  );
}

/** `{count, steps, times, values}`: a count and three buffer indices. */
function isSeriesDelta(value: unknown): value is IMetricSeriesDelta {
  return (
    isObject(value) &&
    isSeq(value.count) &&
    isSeq(value.steps) &&
    isSeq(value.times) &&
    isSeq(value.values)
  );
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isInteger(value: unknown): value is number {
  return Number.isInteger(value);
}

function isSeq(value: unknown): value is number {
  return isInteger(value) && (value as number) >= 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

function isOptional(value: unknown, check: (v: unknown) => boolean): boolean {
  return value === null || value === undefined || check(value);
}
