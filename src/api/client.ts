import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IArtifact,
  IChangesResponse,
  IComponentDetail,
  IComponentEdit,
  IComponentListResponse,
  IComponentWithTrials,
  ICoverageResponse,
  IEvaluationResponse,
  IEvaluationOverrides,
  IExperimentDetail,
  IExperimentEdit,
  IExperimentListResponse,
  IExperimentSummary,
  IMetricSeriesResponse,
  ITrialDetail,
  ITrialEdit,
  ITrialFilter,
  ITrialGroupsResponse,
  ITrialTableResponse,
  Status,
  TrialColumnId
} from './types';

/** Query parameters; an array value becomes a repeated parameter. */
type Query = Record<
  string,
  string | number | boolean | undefined | readonly (string | number)[]
>;

/** The one REST client of the Trialbook server extension. */
export class TrialbookClient {
  constructor(options: TrialbookClient.IOptions = {}) {
    this._serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Every experiment in the store, oldest first. */
  async listExperiments(): Promise<IExperimentSummary[]> {
    const body = await this._get<IExperimentListResponse>(['experiments']);
    return body.experiments;
  }

  /** One experiment with its objective and variable space. */
  getExperiment(name: string): Promise<IExperimentDetail> {
    return this._get(['experiments', name]);
  }

  /** Trial rows sorted, filtered and paged by the server; no `limit`: all. */
  getTrialTable(
    experimentName: string,
    query: TrialbookClient.ITrialTableQuery = {}
  ): Promise<ITrialTableResponse> {
    return this._get(['experiments', experimentName, 'trials'], {
      sort: query.sort,
      order: query.order,
      filter: (query.filters ?? []).map(filter => JSON.stringify(filter)),
      status: query.statuses ?? [],
      search: query.search,
      offset: query.offset,
      limit: query.limit
    });
  }

  /** The verdict on the experiment's claim, or on the claim `overrides` state. */
  getEvaluation(
    experimentName: string,
    overrides: IEvaluationOverrides = {}
  ): Promise<IEvaluationResponse> {
    return this._get(
      ['experiments', experimentName, 'evaluation'],
      evaluationQuery(overrides)
    );
  }

  /** Trials grouped by every variable but `except`, with mean and spread per column. */
  getTrialGroups(
    experimentName: string,
    query: { except: readonly string[]; spread?: 'ci' | 'sd' }
  ): Promise<ITrialGroupsResponse> {
    return this._get(['experiments', experimentName, 'trial-groups'], {
      // An empty `except=` groups by every variable; no parameter would mean "seed".
      except: query.except.length ? query.except : '',
      spread: query.spread
    });
  }

  /** The declared variable space and which of its sets have trials. */
  getCoverage(experimentName: string): Promise<ICoverageResponse> {
    return this._get(['experiments', experimentName, 'coverage']);
  }

  getTrial(name: string): Promise<ITrialDetail> {
    return this._get(['trials', name]);
  }

  async listComponents(
    query: TrialbookClient.IComponentQuery = {}
  ): Promise<IComponentDetail[]> {
    const body = await this._get<IComponentListResponse>(['components'], {
      trial: query.trial,
      experiment: query.experiment,
      unassigned: query.unassigned
    });
    return body.components;
  }

  getComponent(name: string): Promise<IComponentWithTrials> {
    return this._get(['components', name]);
  }

  /** Series of many trials at once, downsampled to `maxPoints` keeping extremes. */
  getMetricSeries(
    query: TrialbookClient.IMetricQuery
  ): Promise<IMetricSeriesResponse> {
    return this._get(['metrics'], {
      trial: query.trials ?? [],
      component: query.components ?? [],
      name: query.names,
      x: query.x,
      max_points: query.maxPoints,
      x_min: query.xMin,
      x_max: query.xMax
    });
  }

  getArtifact(id: number): Promise<IArtifact> {
    return this._get(['artifacts', String(id)]);
  }

  /** Where an artifact's file is served (as an attachment unless inert). */
  artifactContentUrl(id: number): string {
    return this._url(['artifacts', String(id), 'content']);
  }

  /**
   * Long-poll the change feed: resolves as soon as anything after `since` is
   * written, or after `timeout` seconds with no changes. Without `since`,
   * resolves at once with the current cursor.
   */
  getChanges(
    since?: number,
    timeout = 25,
    signal?: AbortSignal
  ): Promise<IChangesResponse> {
    return this._request(
      ['changes'],
      { method: 'GET', signal },
      since === undefined ? {} : { since, timeout }
    );
  }

  updateExperiment(
    name: string,
    edit: IExperimentEdit
  ): Promise<IExperimentDetail> {
    return this._request(['experiments', name], {
      method: 'PATCH',
      body: JSON.stringify(edit)
    });
  }

  updateTrial(name: string, edit: ITrialEdit): Promise<ITrialDetail> {
    return this._request(['trials', name], {
      method: 'PATCH',
      body: JSON.stringify(edit)
    });
  }

  updateComponent(
    name: string,
    edit: IComponentEdit
  ): Promise<IComponentWithTrials> {
    return this._request(['components', name], {
      method: 'PATCH',
      body: JSON.stringify(edit)
    });
  }

  /** Refused (409) while it has trials unless `force`. */
  async deleteExperiment(name: string, force = false): Promise<void> {
    await this._request(['experiments', name], { method: 'DELETE' }, { force });
  }

  /** Refused (409) while it has components unless `force`. */
  async deleteTrial(name: string, force = false): Promise<void> {
    await this._request(['trials', name], { method: 'DELETE' }, { force });
  }

  /** Refused (409) while it is in a trial unless `force`. */
  async deleteComponent(name: string, force = false): Promise<void> {
    await this._request(['components', name], { method: 'DELETE' }, { force });
  }

  private _get<T>(parts: string[], query: Query = {}): Promise<T> {
    return this._request<T>(parts, { method: 'GET' }, query);
  }

  private _url(parts: string[], query: Query = {}): string {
    // Names may hold any character but '/': encode each path segment whole.
    const path = URLExt.join(
      this._serverSettings.baseUrl,
      'trialbook',
      'api',
      ...parts.map(encodeURIComponent)
    );
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) {
        continue;
      }
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        search.append(key, String(item));
      }
    }
    const text = search.toString();
    return text ? `${path}?${text}` : path;
  }

  private async _request<T>(
    parts: string[],
    init: RequestInit,
    query: Query = {}
  ): Promise<T> {
    const response = await ServerConnection.makeRequest(
      this._url(parts, query),
      init,
      this._serverSettings
    );
    if (!response.ok) {
      throw await ServerConnection.ResponseError.create(response);
    }
    if (response.status === 204) {
      return undefined as T;
    }
    return (await response.json()) as T;
  }

  private readonly _serverSettings: ServerConnection.ISettings;
}

/**
 * Overrides as query parameters: values as JSON (so `1` stays a number and
 * `"1"` a string), a list of controls as repeated `control=`.
 */
export function evaluationQuery(overrides: IEvaluationOverrides): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined || value === null) {
      continue;
    }
    if (key === 'control' && Array.isArray(value)) {
      query.control = value.map(item => encodeValue(item));
    } else {
      query[key] = encodeValue(value);
    }
  }
  return query;
}

function encodeValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export namespace TrialbookClient {
  export interface IOptions {
    /** Defaults to the page's server settings (token and XSRF headers). */
    serverSettings?: ServerConnection.ISettings;
  }

  export interface ITrialTableQuery {
    sort?: TrialColumnId;
    order?: 'asc' | 'desc';
    filters?: ITrialFilter[];
    statuses?: Status[];
    /** Case-insensitive substring of the trial name. */
    search?: string;
    offset?: number;
    /** Omit for the whole table. */
    limit?: number;
  }

  export interface IComponentQuery {
    trial?: string;
    experiment?: string;
    unassigned?: boolean;
  }

  export interface IMetricQuery {
    trials?: string[];
    components?: string[];
    names: string[];
    x?: 'step' | 'time';
    maxPoints?: number;
    /** Only points with `xMin <= x <= xMax` (steps, or epoch seconds): zooming refetches
     * the visible window at full detail. */
    xMin?: number;
    xMax?: number;
  }
}
