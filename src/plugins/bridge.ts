import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IConsoleTracker } from '@jupyterlab/console';
import { INotebookTracker } from '@jupyterlab/notebook';

import { TrialbookBridge } from '../kernel/registry';
import { ITrialbookBridge } from '../tokens';

/** The comm bridge on every notebook and console kernel. */
export const bridgePlugin: JupyterFrontEndPlugin<ITrialbookBridge> = {
  id: 'trialbook:bridge',
  description: 'The live comm bridge to every notebook and console kernel.',
  autoStart: true,
  provides: ITrialbookBridge,
  optional: [INotebookTracker, IConsoleTracker],
  activate: (
    _app: JupyterFrontEnd,
    notebooks: INotebookTracker | null,
    consoles: IConsoleTracker | null
  ): ITrialbookBridge => {
    const bridge = new TrialbookBridge();
    notebooks?.forEach(panel => bridge.watch(panel.sessionContext));
    notebooks?.widgetAdded.connect((_, panel) =>
      bridge.watch(panel.sessionContext)
    );
    consoles?.forEach(panel => bridge.watch(panel.sessionContext));
    consoles?.widgetAdded.connect((_, panel) =>
      bridge.watch(panel.sessionContext)
    );
    return bridge;
  }
};
