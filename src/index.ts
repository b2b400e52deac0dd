import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { clientPlugin } from './plugins/client';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';
export { TrialbookClient } from './api/client';

const plugins: JupyterFrontEndPlugin<unknown>[] = [clientPlugin, sidebarPlugin];

export default plugins;
