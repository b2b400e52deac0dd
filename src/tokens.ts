import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { IExperimentSummary } from './api/types';
import { TrialbookClient } from './api/client';

/** The REST client shared by every Trialbook plugin. */
export const ITrialbookClient = new Token<TrialbookClient>(
  'trialbook:ITrialbookClient',
  'The REST client of the Trialbook server extension.'
);

/** Where the experiment list is loaded from; the REST client satisfies it. */
export interface IExperimentSource {
  listExperiments(): Promise<IExperimentSummary[]>;
}

/** State of the experiment list shown in the sidebar. */
export interface IExperimentListModel {
  /** Every experiment, oldest first. */
  readonly experiments: readonly IExperimentSummary[];
  /** The experiments matching `query`. */
  readonly visibleExperiments: readonly IExperimentSummary[];
  /** Case-insensitive text matched against names, hypotheses and descriptions. */
  query: string;
  readonly loading: boolean;
  /** The last refresh's error message, or `null`. */
  readonly error: string | null;
  /** Emitted whenever anything above changes. */
  readonly changed: ISignal<IExperimentListModel, void>;
  refresh(): Promise<void>;
}

export const IExperimentListModel = new Token<IExperimentListModel>(
  'trialbook:IExperimentListModel',
  'The experiment list shown in the Trialbook sidebar.'
);

/** Command ids, one place for every plugin. */
export namespace CommandIDs {
  export const showExperiments = 'trialbook:show-experiments';
  export const refreshExperiments = 'trialbook:refresh-experiments';
}
