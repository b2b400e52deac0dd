import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { treeKey } from '../components/tree';
import { CommandIDs, ITrialbookModel } from '../tokens';
import { ExperimentsPanel } from '../widgets/ExperimentsPanel';
import { SETTINGS_ID } from './model';

/** The Experiments panel in a sidebar, its toolbar commands and settings. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: SETTINGS_ID,
  description: 'The Trialbook Experiments panel in the sidebar.',
  autoStart: true,
  requires: [ITrialbookModel],
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    ILabShell
  ],
  activate: (
    app: JupyterFrontEnd,
    model: ITrialbookModel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    labShell: ILabShell | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('trialbook');
    const panel = new ExperimentsPanel({
      model,
      commands: app.commands,
      trans,
      translator: translator ?? undefined
    });
    let side: 'left' | 'right' = 'left';
    app.shell.add(panel, side, { rank: 400 });
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
      caption: trans.__('Reload experiments, trials and components'),
      execute: () => model.refresh()
    });
    app.commands.addCommand(CommandIDs.collapseAll, {
      label: trans.__('Collapse All Experiments'),
      caption: trans.__('Collapse every experiment and trial in the panel'),
      execute: () => model.expansion.collapseAll()
    });
    app.commands.addCommand(CommandIDs.revealTrial, {
      label: trans.__('Reveal Trial in Experiments'),
      caption: trans.__('Show the trial in the Trialbook Experiments panel'),
      execute: async args => {
        const experiment = String(args.experiment ?? '');
        const trial = String(args.trial ?? '');
        if (!experiment || !trial) {
          return;
        }
        app.shell.activateById(panel.id);
        if (!model.experiment(experiment)) {
          await model.refresh();
        }
        const found = model.experiment(experiment);
        if (!found) {
          return;
        }
        model.query = '';
        model.expansion.toggle(treeKey.experiment(experiment), true);
        await found.loadTrials();
        // The tree renders on its next frame; then scroll to and focus the row.
        requestAnimationFrame(() => {
          const row = [
            ...panel.node.querySelectorAll<HTMLElement>('[data-tb-trial]')
          ].find(element => element.dataset.tbTrial === trial);
          row?.scrollIntoView({ block: 'nearest' });
          row?.focus();
        });
      }
    });
    const category = trans.__('Trialbook');
    for (const command of [
      CommandIDs.showExperiments,
      CommandIDs.refreshExperiments,
      CommandIDs.collapseAll
    ]) {
      palette?.addItem({ command, category });
    }

    if (settingRegistry) {
      void Promise.all([settingRegistry.load(SETTINGS_ID), app.restored]).then(
        ([settings]) => {
          const apply = () => {
            const wanted = settings.get('sidebarSide').composite as
              'left' | 'right';
            if (labShell) {
              // The restored layout may have put it elsewhere.
              side = [...labShell.widgets('right')].includes(panel)
                ? 'right'
                : 'left';
            }
            if (wanted === side) {
              return;
            }
            side = wanted;
            if (labShell) {
              labShell.move(panel, wanted);
            } else {
              app.shell.add(panel, wanted, { rank: 400 });
            }
          };
          settings.changed.connect(apply);
          apply();
        }
      );
    }
  }
};
