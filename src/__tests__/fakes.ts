/**
 * Test doubles: a kernel connection with comms, a REST source, message
 * builders. Only what the bridge and the models touch.
 */
import { Kernel } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import {
  IChangesResponse,
  IComponentDetail,
  IExperimentDetail,
  IExperimentSummary,
  IMetricSeriesResponse,
  ITrialRow,
  ITrialTableResponse
} from '../api/types';
import { ITrialbookSource } from '../tokens';

export class FakeComm {
  constructor(
    readonly targetName: string,
    readonly commId: string
  ) {}
  onMsg: (msg: unknown) => void = () => undefined;
  onClose: (msg: unknown) => void = () => undefined;
  isDisposed = false;
  opened: unknown[] = [];
  sent: unknown[] = [];
  closed = false;
  open(data: unknown): void {
    this.opened.push(data);
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.isDisposed = true;
  }
  dispose(): void {
    this.isDisposed = true;
  }
  /** The kernel sends `data` (and buffers) on this comm. */
  receive(data: unknown, buffers: ArrayBuffer[] = []): void {
    this.onMsg({ content: { comm_id: this.commId, data }, buffers });
  }
}

export class FakeKernel {
  id = 'kernel-1';
  handleComms = true;
  supportsSubshells = false;
  isDisposed = false;
  status: Kernel.Status = 'idle';
  connectionStatus: Kernel.ConnectionStatus = 'connected';
  info = Promise.resolve({});
  readonly statusChanged = new Signal<this, Kernel.Status>(this);
  readonly connectionStatusChanged = new Signal<this, Kernel.ConnectionStatus>(
    this
  );
  readonly disposed = new Signal<this, void>(this);
  readonly targets = new Map<string, (comm: FakeComm, msg: unknown) => void>();
  readonly comms: FakeComm[] = [];
  /** What `comm_info_request` answers. */
  commInfo: Record<string, { target_name: string }> = {};
  private _next = 0;

  registerCommTarget(
    name: string,
    callback: (comm: FakeComm, msg: unknown) => void
  ): void {
    this.targets.set(name, callback);
  }
  removeCommTarget(
    name: string,
    callback: (comm: FakeComm, msg: unknown) => void
  ): void {
    if (this.targets.get(name) === callback) {
      this.targets.delete(name);
    }
  }
  requestCommInfo(): Promise<unknown> {
    return Promise.resolve({
      content: { status: 'ok', comms: this.commInfo }
    });
  }
  createComm(target: string, id = `frontend-${++this._next}`): FakeComm {
    const comm = new FakeComm(target, id);
    this.comms.push(comm);
    return comm;
  }
  hasComm(id: string): boolean {
    return this.comms.some(comm => comm.commId === id && !comm.isDisposed);
  }
  /** The library opens a comm to the frontend with `data`. */
  openFromKernel(id: string, data: unknown): FakeComm {
    const comm = new FakeComm('trialbook', id);
    this.comms.push(comm);
    this.targets.get('trialbook')?.(comm, {
      content: { comm_id: id, target_name: 'trialbook', data },
      buffers: []
    });
    return comm;
  }
  setStatus(status: Kernel.Status): void {
    this.status = status;
    this.statusChanged.emit(status);
  }
  asConnection(): Kernel.IKernelConnection {
    return this as unknown as Kernel.IKernelConnection;
  }
}

/** Let pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}

export function hello(session: string, seq = 0, protocol = 1) {
  return {
    type: 'hello',
    protocol,
    session,
    seq,
    library_version: '0.1.0',
    store: 'sqlite'
  };
}

/** A batch carrying one metrics event, its points in binary buffers. */
export function metricsBatch(
  session: string,
  seq: number,
  points: { steps: number[]; values: number[] },
  where = { component: 'c1', trials: ['t1'], experiments: ['e1'] }
): { data: unknown; buffers: ArrayBuffer[] } {
  const count = points.steps.length;
  const column = (values: number[]) => new Float64Array(values).buffer;
  return {
    data: {
      type: 'batch',
      session,
      seq,
      events: [
        {
          kind: 'metrics',
          ...where,
          series: { loss: { count, steps: 0, times: 1, values: 2 } }
        }
      ]
    },
    buffers: [
      column(points.steps),
      column(points.steps.map(() => 1_700_000_000)),
      column(points.values)
    ]
  };
}

export function summary(
  name: string,
  extra: Partial<IExperimentSummary> = {}
): IExperimentSummary {
  return {
    name,
    description: null,
    hypothesis: null,
    objective: { metric: 'loss', goal: 'minimize', summary: 'best' },
    trial_count: 0,
    status_counts: {
      InProgress: 0,
      Completed: 0,
      Failed: 0,
      Stopped: 0,
      Interrupted: 0
    },
    status: null,
    creation_time: '2026-11-28T06:00:00+00:00',
    last_activity: null,
    verdict: null,
    ...extra
  };
}

export function trialRow(
  name: string,
  extra: Partial<ITrialRow> = {}
): ITrialRow {
  return {
    name,
    experiment_name: 'e1',
    variables: { lr: 0.1 },
    tags: {},
    notes: null,
    status: 'InProgress',
    creation_time: '2026-11-28T06:00:00+00:00',
    last_activity: null,
    start_time: null,
    end_time: null,
    components: ['c1'],
    parameters: {},
    metrics: {},
    objective_value: null,
    provenance: null,
    ...extra
  };
}

/** A REST source serving what the test puts in it, counting calls. */
export class FakeSource implements ITrialbookSource {
  experiments: IExperimentSummary[] = [];
  trials: Record<string, ITrialRow[]> = {};
  components: IComponentDetail[] = [];
  calls: string[] = [];

  async listExperiments(): Promise<IExperimentSummary[]> {
    this.calls.push('listExperiments');
    return this.experiments.map(item => ({ ...item }));
  }
  async getExperiment(name: string): Promise<IExperimentDetail> {
    this.calls.push(`getExperiment:${name}`);
    const found = this.experiments.find(item => item.name === name)!;
    return { ...found, variables: null, tags: {}, notes: null };
  }
  async getTrialTable(
    name: string,
    query: ITableRequest = {}
  ): Promise<ITrialTableResponse> {
    this.calls.push(`getTrialTable:${name}`);
    const { trials, total } = serveTable(this.trials[name] ?? [], query);
    return {
      experiment_name: name,
      total,
      offset: query.offset ?? 0,
      limit: query.limit ?? null,
      sort: query.sort ?? null,
      order: query.order ?? 'asc',
      columns: { variables: [], parameters: [], metrics: [] },
      trials: trials.map(row => ({ ...row }))
    };
  }
  async listComponents(): Promise<IComponentDetail[]> {
    this.calls.push('listComponents');
    return this.components;
  }
  async getMetricSeries(): Promise<IMetricSeriesResponse> {
    this.calls.push('getMetricSeries');
    return { x: 'step', max_points: 60, series: [] };
  }
  async getChanges(): Promise<IChangesResponse> {
    this.calls.push('getChanges');
    return { cursor: 0, changes: [], reset: false };
  }
}

/** A table request as the view's source receives it. */
export interface ITableRequest {
  sort?: string;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/**
 * Sort and page `rows` the way the server does (missing and NaN values last
 * in either order; creation order without a sort), returning the page and
 * the total. The server's own sort is tested in Python: this only lets view
 * tests see what the view asked for.
 */
export function serveTable(
  rows: readonly ITrialRow[],
  query: ITableRequest = {}
): { trials: ITrialRow[]; total: number } {
  let ordered = [...rows];
  if (query.sort) {
    const key = query.sort;
    const direction = query.order === 'desc' ? -1 : 1;
    const keyed = ordered.map(row => ({ row, value: sortValue(row, key) }));
    keyed.sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? 0 : a.value === null ? 1 : -1;
      }
      if (typeof a.value === 'number' && typeof b.value === 'number') {
        return direction * (a.value - b.value);
      }
      return direction * String(a.value).localeCompare(String(b.value));
    });
    ordered = keyed.map(item => item.row);
  }
  const offset = query.offset ?? 0;
  const end = query.limit === undefined ? undefined : offset + query.limit;
  return { trials: ordered.slice(offset, end), total: ordered.length };
}

function sortValue(row: ITrialRow, key: string): number | string | null {
  const [group, ...rest] = key.split('.');
  let value: unknown;
  if (group === 'metrics') {
    const stat = rest.pop()!;
    value = row.metrics[rest.join('.')]?.[stat as 'min'];
  } else if (group === 'variables') {
    value = row.variables?.[rest.join('.')];
  } else if (group === 'parameters') {
    value = row.parameters[rest.join('.')];
  } else if (key === 'experiment') {
    value = row.experiment_name;
  } else {
    value = (row as unknown as Record<string, unknown>)[key];
  }
  if (value === 'NaN' || value === undefined || value === null) {
    return null;
  }
  return typeof value === 'number' ? value : String(value);
}
