import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';
export { TrialbookClient } from './api/client';
export { loadPlotly } from './plot/plotly';

const plugins: JupyterFrontEndPlugin<unknown>[] = [clientPlugin, sidebarPlugin];

export default plugins;
