import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Poll } from '@lumino/polling';

import { TrialbookClient } from '../api/client';
import { ChangeFeed } from '../models/changefeed';
import { SummaryStat } from '../models/metrics';
import { TrialbookModel } from '../models/trialbook';
import { ITrialbookBridge, ITrialbookClient, ITrialbookModel } from '../tokens';

export const SETTINGS_ID = 'trialbook:plugin';

/** How often InProgress work is re-read: a dead writer turns Interrupted. */
const RUNNING_REFRESH_MS = 3_000;

/**
 * The model behind the sidebar, fed by REST, the comm bridge and the change
 * feed; settings applied live.
 */
export const modelPlugin: JupyterFrontEndPlugin<ITrialbookModel> = {
  id: 'trialbook:model',
  description: 'Experiments, trials and components, kept live.',
  autoStart: true,
  requires: [ITrialbookClient],
  optional: [ITrialbookBridge, ISettingRegistry],
  provides: ITrialbookModel,
  activate: (
    app: JupyterFrontEnd,
    client: TrialbookClient,
    bridge: ITrialbookBridge | null,
    settingRegistry: ISettingRegistry | null
  ): ITrialbookModel => {
    const model = new TrialbookModel({ source: client });
    bridge?.received.connect((_, update) => model.applyLiveUpdate(update));

    const feed = new ChangeFeed({
      source: client,
      onChanges: changes => model.applyChanges(changes),
      onReset: () => model.reset()
    });

    // The periodic refresh is a safety net (the feed does the work), except
    // while something runs: "Interrupted" is derived on read, not announced.
    let refreshMs = 10_000;
    const poll = new Poll({
      factory: () => model.refresh(),
      frequency: { interval: refreshMs, backoff: true, max: 60_000 },
      standby: 'when-hidden',
      name: 'trialbook:refresh'
    });
    const tune = () => {
      const interval = model.hasRunning
        ? Math.min(RUNNING_REFRESH_MS, refreshMs || RUNNING_REFRESH_MS)
        : refreshMs || Poll.NEVER;
      if (interval !== poll.frequency.interval) {
        poll.frequency = { ...poll.frequency, interval };
      }
    };
    model.changed.connect(tune);

    void app.restored.then(async () => {
      await model.refresh();
      feed.start();
    });

    if (settingRegistry) {
      void settingRegistry.load(SETTINGS_ID).then(settings => {
        const apply = () => {
          const seconds = settings.get('refreshInterval').composite as number;
          refreshMs = seconds > 0 ? seconds * 1000 : 0;
          model.metricSummary = settings.get('metricSummary')
            .composite as SummaryStat;
          model.updateRate = settings.get('updateRate').composite as number;
          tune();
        };
        settings.changed.connect(apply);
        apply();
      });
    }
    return model;
  }
};
