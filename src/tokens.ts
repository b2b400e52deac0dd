import { ISessionContext, IWidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import {
  IComponentDetail,
  IExperimentDetail,
  IExperimentSummary,
  ITrialRow
} from './api/types';
import { TrialbookClient } from './api/client';
import { ILiveSnapshotItem, LiveEvent } from './kernel/validate';
import { IMetricTail, SummaryStat } from './models/metrics';

/** The REST client shared by every Trialbook plugin. */
export const ITrialbookClient = new Token<TrialbookClient>(
  'trialbook:ITrialbookClient',
  'The REST client of the Trialbook server extension.'
);

/** What the model reads over REST; the REST client satisfies it. */
export type ITrialbookSource = Pick<
  TrialbookClient,
  | 'listExperiments'
  | 'getExperiment'
  | 'getTrialTable'
  | 'listComponents'
  | 'getMetricSeries'
  | 'getChanges'
>;

/** What one kernel's comm delivered, validated and deduplicated. */
export interface ILiveUpdate {
  /** The kernel that sent it. */
  kernelId: string;
  /** Batch events, in order, with their metric points decoded. */
  events: LiveEvent[];
  /** The components the kernel is writing, when it answered a hello. */
  snapshot: ILiveSnapshotItem[] | null;
  /**
   * Messages were lost, or the kernel session is new (restart, reload):
   * what the frontend shows must be refetched over REST.
   */
  resync: boolean;
}

/** The comm bridge to every notebook and console kernel. */
export interface ITrialbookBridge {
  readonly received: ISignal<ITrialbookBridge, ILiveUpdate>;
  /** Kernels with an open `trialbook` comm. */
  readonly connectedKernels: number;
  /** Follow a notebook's or console's kernel through changes and restarts. */
  watch(sessionContext: ISessionContext): void;
}

export const ITrialbookBridge = new Token<ITrialbookBridge>(
  'trialbook:ITrialbookBridge',
  'The live comm bridge to every notebook and console kernel.'
);

/** One experiment: its summary and, once expanded, its trials and components. */
export interface IExperimentModel {
  readonly name: string;
  readonly summary: IExperimentSummary;
  /** Objective, variable space and tags, once loaded with the trials. */
  readonly detail: IExperimentDetail | null;
  /** Trials, oldest first; empty until `loadTrials` ran. */
  readonly trials: readonly ITrialRow[];
  /** Components of the experiment's trials, by name. */
  readonly components: ReadonlyMap<string, IComponentDetail>;
  readonly trialsLoaded: boolean;
  readonly loadingTrials: boolean;
  readonly error: string | null;
  /** Trials currently InProgress (live from the comm when available). */
  readonly runningCount: number;
  /** The metric the sidebar shows for a trial: the objective, else its first. */
  displayMetric(trial: ITrialRow): string | null;
  /** The most recent points of a trial's metric. */
  tail(trial: string, metric: string): IMetricTail | undefined;
  /** Emitted (at most once a frame) when anything above changes. */
  readonly changed: ISignal<IExperimentModel, void>;
  /** Load (or reload) trials, components and sparklines over REST. */
  loadTrials(): Promise<void>;
}

/** The tree's expanded nodes, kept out of the views so it survives them. */
export interface IExpansionState {
  isExpanded(key: string): boolean;
  toggle(key: string, expanded?: boolean): void;
  collapseAll(): void;
  readonly changed: ISignal<IExpansionState, void>;
}

/** Everything the Experiments sidebar shows, fed by REST, comm and change feed. */
export interface ITrialbookModel {
  /** Every experiment, oldest first. */
  readonly experiments: readonly IExperimentModel[];
  /** The experiments matching `query`. */
  readonly visibleExperiments: readonly IExperimentModel[];
  /** Case-insensitive text matched against names, hypotheses and descriptions. */
  query: string;
  readonly loading: boolean;
  /** The last refresh's error message, or `null`. */
  readonly error: string | null;
  /** Components in no trial; `null` until `loadUnassigned` ran. */
  readonly unassigned: readonly IComponentDetail[] | null;
  /** The statistic shown for each trial's metric. */
  metricSummary: SummaryStat;
  readonly expansion: IExpansionState;
  experiment(name: string): IExperimentModel | undefined;
  /** Emitted (at most once a frame) when the list, query or state changes. */
  readonly changed: ISignal<ITrialbookModel, void>;
  /** Reload the list and every loaded experiment over REST. */
  refresh(): Promise<void>;
  loadUnassigned(): Promise<void>;
}

export const ITrialbookModel = new Token<ITrialbookModel>(
  'trialbook:ITrialbookModel',
  'The experiments, trials and components shown in the Trialbook sidebar.'
);

/** The open experiment views (main-area tabs), one per experiment. */
export type IExperimentViewTracker = IWidgetTracker<
  import('./widgets/ExperimentView').ExperimentView
>;

export const IExperimentViewTracker = new Token<IExperimentViewTracker>(
  'trialbook:IExperimentViewTracker',
  'The open Trialbook experiment views.'
);

/** Command ids, one place for every plugin. */
export namespace CommandIDs {
  export const showExperiments = 'trialbook:show-experiments';
  export const refreshExperiments = 'trialbook:refresh-experiments';
  export const collapseAll = 'trialbook:collapse-all';
  export const openExperiment = 'trialbook:open-experiment';
  export const openAllTrials = 'trialbook:open-all-trials';
  export const copyName = 'trialbook:copy-name';
  export const editDescription = 'trialbook:edit-description';
  export const deleteExperiment = 'trialbook:delete-experiment';
  export const goToCell = 'trialbook:go-to-cell';
  export const revealTrial = 'trialbook:reveal-trial';
}
