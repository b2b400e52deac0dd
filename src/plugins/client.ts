import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { TrialbookClient } from '../api/client';
import { ITrialbookClient } from '../tokens';

/** Provides the REST client, bound to the page's server settings. */
export const clientPlugin: JupyterFrontEndPlugin<TrialbookClient> = {
  id: 'trialbook:client',
  description: 'The REST client of the Trialbook server extension.',
  autoStart: true,
  provides: ITrialbookClient,
  activate: (app: JupyterFrontEnd): TrialbookClient =>
    new TrialbookClient({ serverSettings: app.serviceManager.serverSettings })
};
