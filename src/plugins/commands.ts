import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  InputDialog,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { copyIcon, deleteIcon, editIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { TrialbookClient } from '../api/client';
import {
  CommandIDs,
  IExperimentViewTracker,
  ITrialbookClient,
  ITrialbookModel
} from '../tokens';
import { cellProvenance, goToCell } from '../widgets/goToCell';

const EXPERIMENT_SELECTOR = '.tb-ExperimentsPanel [data-tb-experiment]';
const TRIAL_SELECTOR = '.tb-ExperimentsPanel [data-tb-trial]';

/**
 * Commands on experiments and trials (context menu; the experiment view's
 * plugin owns `open-experiment`): copy the name, edit the description, delete, go to cell.
 */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'trialbook:commands',
  description: 'Commands on Trialbook experiments and trials.',
  autoStart: true,
  requires: [ITrialbookModel, ITrialbookClient],
  optional: [ITranslator, IDocumentManager, IExperimentViewTracker],
  activate: (
    app: JupyterFrontEnd,
    model: ITrialbookModel,
    client: TrialbookClient,
    translator: ITranslator | null,
    docManager: IDocumentManager | null,
    views: IExperimentViewTracker | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('trialbook');
    const { commands } = app;

    /** The experiment named in args, else the one right-clicked. */
    const experimentOf = (args: ReadonlyPartialJSONObject): string | null => {
      if (typeof args.name === 'string') {
        return args.name;
      }
      const node = app.contextMenuHitTest(
        element => element.dataset.tbExperiment !== undefined
      );
      return node?.dataset.tbExperiment ?? null;
    };
    const trialOf = (args: ReadonlyPartialJSONObject): string | null => {
      if (typeof args.trial === 'string') {
        return args.trial;
      }
      const node = app.contextMenuHitTest(
        element => element.dataset.tbTrial !== undefined
      );
      return node?.dataset.tbTrial ?? null;
    };

    commands.addCommand(CommandIDs.copyName, {
      label: trans.__('Copy Name'),
      icon: copyIcon,
      execute: args => {
        const name = trialOf(args) ?? experimentOf(args);
        if (name) {
          Clipboard.copyToSystem(name);
        }
      }
    });

    commands.addCommand(CommandIDs.editDescription, {
      label: trans.__('Edit Description…'),
      icon: editIcon,
      execute: async args => {
        const name = experimentOf(args);
        if (!name) {
          return;
        }
        const current = model.experiment(name)?.summary.description ?? '';
        const result = await InputDialog.getText({
          title: trans.__('Description of %1', name),
          text: current,
          okLabel: trans.__('Save')
        });
        if (!result.button.accept || result.value === null) {
          return;
        }
        try {
          await client.updateExperiment(name, {
            description: result.value.trim() || null
          });
        } catch (reason) {
          await showErrorMessage(trans.__('Could not save'), reason as Error);
        }
        await model.refresh();
      }
    });

    commands.addCommand(CommandIDs.deleteExperiment, {
      label: trans.__('Delete Experiment…'),
      icon: deleteIcon,
      execute: async args => {
        const name = experimentOf(args);
        if (!name) {
          return;
        }
        const trials = model.experiment(name)?.summary.trial_count ?? 0;
        const first = await showDialog({
          title: trans.__('Delete experiment'),
          body: trans.__('Delete the experiment "%1"?', name),
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        });
        if (!first.button.accept) {
          return;
        }
        let force = false;
        if (trials > 0) {
          const second = await showDialog({
            title: trans.__('Delete %1 trials too?', trials),
            body: trans._n(
              '"%2" has %1 trial. Deleting the experiment deletes it, the components only it uses and their artifact files. This cannot be undone.',
              '"%2" has %1 trials. Deleting the experiment deletes them, the components only they use and their artifact files. This cannot be undone.',
              trials,
              name
            ),
            buttons: [
              Dialog.cancelButton(),
              Dialog.warnButton({
                label: trans.__('Delete Experiment and Trials')
              })
            ]
          });
          if (!second.button.accept) {
            return;
          }
          force = true;
        }
        try {
          await client.deleteExperiment(name, force);
          views?.find(view => view.experimentName === name)?.dispose();
        } catch (reason) {
          await showErrorMessage(trans.__('Could not delete'), reason as Error);
        }
        await model.refresh();
      }
    });

    commands.addCommand(CommandIDs.goToCell, {
      label: trans.__('Go to Cell'),
      caption: trans.__('Open the notebook cell that produced the trial'),
      isEnabled: () => docManager !== null,
      execute: async args => {
        const trialName = trialOf(args);
        if (!trialName || !docManager) {
          return;
        }
        const detail = await client.getTrial(trialName);
        // The latest component produced in a notebook.
        const provenance = [...detail.components]
          .reverse()
          .map(component => cellProvenance(component.provenance))
          .find(item => item !== null);
        if (!provenance) {
          await showDialog({
            title: trans.__('Go to cell'),
            body: trans.__('%1 was not produced in a notebook.', trialName),
            buttons: [Dialog.okButton()]
          });
          return;
        }
        await goToCell({
          provenance,
          docManager,
          contents: app.serviceManager.contents,
          sessions: app.serviceManager.sessions,
          trans
        });
      }
    });

    const menu = app.contextMenu;
    menu.addItem({
      command: CommandIDs.openExperiment,
      selector: EXPERIMENT_SELECTOR,
      rank: 1
    });
    menu.addItem({
      command: CommandIDs.goToCell,
      selector: TRIAL_SELECTOR,
      rank: 2
    });
    menu.addItem({
      command: CommandIDs.copyName,
      selector: EXPERIMENT_SELECTOR,
      rank: 3
    });
    menu.addItem({
      command: CommandIDs.editDescription,
      selector: EXPERIMENT_SELECTOR,
      rank: 4
    });
    menu.addItem({
      command: CommandIDs.deleteExperiment,
      selector: EXPERIMENT_SELECTOR,
      rank: 5
    });
  }
};
