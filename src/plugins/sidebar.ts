import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Poll } from '@lumino/polling';

import { TrialbookClient } from '../api/client';
import { ExperimentListModel } from '../models/experiments';
import { CommandIDs, IExperimentListModel, ITrialbookClient } from '../tokens';
import { ExperimentsPanel } from '../widgets/ExperimentsPanel';

const PLUGIN_ID = 'trialbook:plugin';

/** The Experiments panel in the left sidebar, its commands and settings. */
export const sidebarPlugin: JupyterFrontEndPlugin<IExperimentListModel> = {
  id: PLUGIN_ID,
  description: 'The Trialbook Experiments panel in the left sidebar.',
  autoStart: true,
  requires: [ITrialbookClient],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, ISettingRegistry],
  provides: IExperimentListModel,
  activate: (
    app: JupyterFrontEnd,
    client: TrialbookClient,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ): IExperimentListModel => {
    const trans = (translator ?? nullTranslator).load('trialbook');
    const model = new ExperimentListModel(client);
    const panel = new ExperimentsPanel({
      model,
      trans,
      translator: translator ?? undefined
    });
    app.shell.add(panel, 'left', { rank: 400 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.showExperiments, {
      label: trans.__('Show Experiments'),
      caption: trans.__('Open the Trialbook Experiments panel'),
      execute: () => {
        app.shell.activateById(panel.id);
        return model.refresh();
      }
    });
    app.commands.addCommand(CommandIDs.refreshExperiments, {
      label: trans.__('Refresh Experiments'),
      caption: trans.__('Reload the experiment list from the store'),
      execute: () => model.refresh()
    });
    const category = trans.__('Trialbook');
    palette?.addItem({ command: CommandIDs.showExperiments, category });
    palette?.addItem({ command: CommandIDs.refreshExperiments, category });

    // Until the live change feed lands, refresh on a timer while the page is
    // visible (Poll standby) and whenever the panel is shown.
    const poll = new Poll({
      factory: () => model.refresh(),
      frequency: { interval: 10_000, backoff: true, max: 60_000 },
      standby: () => !panel.isVisible || document.visibilityState === 'hidden',
      name: 'trialbook:experiments'
    });
    void app.restored.then(() => model.refresh());

    if (settingRegistry) {
      void settingRegistry.load(PLUGIN_ID).then(settings => {
        const apply = () => {
          const seconds = settings.get('refreshInterval').composite as number;
          poll.frequency = {
            ...poll.frequency,
            interval: seconds > 0 ? seconds * 1000 : Poll.NEVER
          };
        };
        settings.changed.connect(apply);
        apply();
      });
    }
    return model;
  }
};
