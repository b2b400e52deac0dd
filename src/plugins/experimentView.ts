import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  IThemeManager,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { launchIcon, tableRowsIcon } from '@jupyterlab/ui-components';

import { TrialbookClient } from '../api/client';
import { allTrialsSource } from '../models/allTrials';
import { ExperimentLiveUpdater } from '../models/experimentLive';
import { ExperimentStatsModel } from '../models/experimentStats';
import { ExperimentViewModel } from '../models/experimentView';
import { MetricCurvesModel } from '../models/metricCurves';
import {
  CommandIDs,
  IExperimentViewTracker,
  ITrialbookClient,
  ITrialbookModel
} from '../tokens';
import { ExperimentView } from '../widgets/ExperimentView';

/**
 * The experiment view: `trialbook:open-experiment` opens one main-area tab per
 * experiment, restored on reload, kept live, themed with JupyterLab.
 */
export const experimentViewPlugin: JupyterFrontEndPlugin<IExperimentViewTracker> =
  {
    id: 'trialbook:experiment-view',
    description: 'The Trialbook experiment view: trial table and charts.',
    autoStart: true,
    requires: [ITrialbookClient],
    optional: [
      ITrialbookModel,
      ITranslator,
      ICommandPalette,
      ILayoutRestorer,
      IStateDB,
      IThemeManager
    ],
    provides: IExperimentViewTracker,
    activate: (
      app: JupyterFrontEnd,
      client: TrialbookClient,
      live: ITrialbookModel | null,
      translator: ITranslator | null,
      palette: ICommandPalette | null,
      restorer: ILayoutRestorer | null,
      state: IStateDB | null,
      themeManager: IThemeManager | null
    ): IExperimentViewTracker => {
      const trans = (translator ?? nullTranslator).load('trialbook');
      /** Activate the view already open, or add a new one to the main area. */
      const showView = async (
        views: WidgetTracker<ExperimentView>,
        existing: ExperimentView | null | undefined,
        create: () => ExperimentView
      ): Promise<ExperimentView> => {
        const view = existing ?? create();
        if (!existing) {
          await views.add(view);
          app.shell.add(view, 'main');
        }
        app.shell.activateById(view.id);
        return view;
      };
      const tracker = new WidgetTracker<ExperimentView>({
        namespace: 'trialbook-experiment'
      });

      const goToCell = (model: ExperimentViewModel) =>
        app.commands.hasCommand(CommandIDs.goToCell)
          ? () => {
              const trial = model.openedTrial;
              if (trial) {
                void app.commands.execute(CommandIDs.goToCell, { trial });
              }
            }
          : undefined;

      const create = (name: string): ExperimentView => {
        const model = new ExperimentViewModel({
          name,
          source: client,
          stateStore: state
        });
        const curves = new MetricCurvesModel(client);
        const stats = new ExperimentStatsModel({ name, source: client });
        stats.follow(model);
        const view = new ExperimentView({
          model,
          curves,
          stats,
          trans,
          artifactUrl: id => client.artifactContentUrl(id),
          goToCell: goToCell(model)
        });
        // Live: the sidebar's comm-fed model when present, else the change feed.
        const updater = new ExperimentLiveUpdater({
          name,
          refresh: () => model.refresh(),
          source: live ? undefined : client
        });
        let lastActivity = live ? activityKey(live, name) : '';
        const onLive = () => {
          const key = activityKey(live!, name);
          if (key !== lastActivity) {
            // The first sight of the experiment is what the view just loaded.
            const first = lastActivity === '';
            lastActivity = key;
            if (!first) {
              updater.schedule();
            }
          }
        };
        live?.changed.connect(onLive);
        view.disposed.connect(() => {
          live?.changed.disconnect(onLive);
          updater.dispose();
        });
        void model.initialize();
        return view;
      };

      if (themeManager) {
        themeManager.themeChanged.connect(() => {
          // The new theme's CSS variables apply on the next frame.
          requestAnimationFrame(() => {
            tracker.forEach(view => view.content.refreshTheme());
            allTrialsTracker.forEach(view => view.content.refreshTheme());
          });
        });
      }

      const pickExperiment = async (): Promise<string | null> => {
        const names = (await client.listExperiments()).map(e => e.name);
        if (!names.length) {
          return null;
        }
        const result = await InputDialog.getItem({
          title: trans.__('Open Experiment'),
          items: names,
          okLabel: trans.__('Open')
        });
        return result.button.accept ? result.value : null;
      };

      app.commands.addCommand(CommandIDs.openExperiment, {
        label: args =>
          typeof args.name === 'string'
            ? trans.__('Open Experiment %1', args.name)
            : trans.__('Open Experiment…'),
        caption: trans.__('Open the experiment view: trial table and charts'),
        icon: launchIcon,
        execute: async args => {
          let name: string | null =
            typeof args.name === 'string' ? args.name : null;
          if (!name) {
            const node = app.contextMenuHitTest(
              element => element.dataset.tbExperiment !== undefined
            );
            name = node?.dataset.tbExperiment ?? (await pickExperiment());
          }
          if (!name) {
            return;
          }
          const experiment = name;
          return showView(
            tracker,
            tracker.find(view => view.experimentName === experiment),
            () => create(experiment)
          );
        }
      });
      palette?.addItem({
        command: CommandIDs.openExperiment,
        category: trans.__('Trialbook'),
        args: {}
      });

      /** The view of every experiment's trials; refreshed a moment after activity. */
      const createAllTrials = (): ExperimentView => {
        const model = new ExperimentViewModel({
          name: '',
          crossExperiment: true,
          source: allTrialsSource(client),
          stateStore: state
        });
        const view = new ExperimentView({
          model,
          curves: new MetricCurvesModel(client),
          stats: null,
          trans,
          artifactUrl: id => client.artifactContentUrl(id),
          goToCell: goToCell(model)
        });
        let timer = 0;
        const onLive = () => {
          window.clearTimeout(timer);
          timer = window.setTimeout(
            () => void model.refresh(),
            ALL_TRIALS_REFRESH_MS
          );
        };
        live?.changed.connect(onLive);
        view.disposed.connect(() => {
          window.clearTimeout(timer);
          live?.changed.disconnect(onLive);
        });
        void model.initialize();
        return view;
      };
      const allTrialsTracker = new WidgetTracker<ExperimentView>({
        namespace: 'trialbook-all-trials'
      });
      app.commands.addCommand(CommandIDs.openAllTrials, {
        label: trans.__('All Trials'),
        caption: trans.__(
          'Query and compare the trials of every experiment in one table'
        ),
        icon: tableRowsIcon,
        execute: async () => {
          return showView(
            allTrialsTracker,
            allTrialsTracker.currentWidget,
            createAllTrials
          );
        }
      });
      palette?.addItem({
        command: CommandIDs.openAllTrials,
        category: trans.__('Trialbook')
      });
      if (restorer) {
        void restorer.restore(allTrialsTracker, {
          command: CommandIDs.openAllTrials,
          name: () => 'all-trials'
        });
      }
      if (restorer) {
        void restorer.restore(tracker, {
          command: CommandIDs.openExperiment,
          args: view => ({ name: view.experimentName }),
          name: view => view.experimentName
        });
      }
      return tracker;
    }
  };

/** Live activity reloads the All trials view this long after it settles. */
const ALL_TRIALS_REFRESH_MS = 2000;

/**
 * A fingerprint of an experiment's activity in the live model: it changes
 * when trials or points arrive, so unrelated sidebar updates cost nothing.
 */
function activityKey(live: ITrialbookModel, name: string): string {
  const experiment = live.experiment(name);
  if (!experiment) {
    return '';
  }
  const summary = experiment.summary;
  return JSON.stringify([
    summary.last_activity,
    summary.trial_count,
    summary.status_counts,
    experiment.runningCount
  ]);
}
