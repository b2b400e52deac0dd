import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IExperimentListResponse, IExperimentSummary } from './types';

/** The one REST client of the Trialbook server extension. */
export class TrialbookClient {
  constructor(options: TrialbookClient.IOptions = {}) {
    this._serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  /** Every experiment in the store, oldest first. */
  async listExperiments(): Promise<IExperimentSummary[]> {
    const body = await this._get<IExperimentListResponse>('experiments');
    return body.experiments;
  }

  private async _get<T>(path: string): Promise<T> {
    const url = URLExt.join(
      this._serverSettings.baseUrl,
      'trialbook',
      'api',
      path
    );
    const response = await ServerConnection.makeRequest(
      url,
      { method: 'GET' },
      this._serverSettings
    );
    if (!response.ok) {
      throw await ServerConnection.ResponseError.create(response);
    }
    return (await response.json()) as T;
  }

  private readonly _serverSettings: ServerConnection.ISettings;
}

export namespace TrialbookClient {
  export interface IOptions {
    /** Defaults to the page's server settings (token and XSRF headers). */
    serverSettings?: ServerConnection.ISettings;
  }
}
