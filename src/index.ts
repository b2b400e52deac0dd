import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { bridgePlugin } from './plugins/bridge';
import { clientPlugin } from './plugins/client';
import { commandsPlugin } from './plugins/commands';
import { experimentViewPlugin } from './plugins/experimentView';
import { mimePlugin } from './plugins/mime';
import { modelPlugin } from './plugins/model';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';
export { TrialbookClient } from './api/client';
export { loadPlotly } from './plot/plotly';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  clientPlugin,
  bridgePlugin,
  modelPlugin,
  sidebarPlugin,
  experimentViewPlugin,
  commandsPlugin,
  mimePlugin
];

export default plugins;
