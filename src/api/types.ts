/**
 * REST payloads of the Trialbook server extension.
 *
 * The Python side mirrors these shapes in `trialbook/server/payloads.py`; a test
 * keeps the two in step. Bump `API_VERSION` on any incompatible change.
 */

export const API_VERSION = 1;

/** Status of a trial component, trial or experiment; `Interrupted` is derived. */
export type Status =
  'InProgress' | 'Completed' | 'Failed' | 'Stopped' | 'Interrupted';

export const STATUSES: readonly Status[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopped',
  'Interrupted'
];

/** What an experiment optimizes; `summary` decides a trial's objective value. */
export interface IObjective {
  metric: string;
  goal: 'maximize' | 'minimize';
  summary: 'best' | 'last';
}

/** One row of `GET trialbook/api/experiments`. */
export interface IExperimentSummary {
  name: string;
  description: string | null;
  hypothesis: string | null;
  objective: IObjective | null;
  trial_count: number;
  status_counts: Record<Status, number>;
  /** `null` while the experiment has no trial. */
  status: Status | null;
  /** ISO 8601 UTC. */
  creation_time: string;
  /** ISO 8601 UTC of the latest write touching the experiment. */
  last_activity: string | null;
}

export interface IExperimentListResponse {
  api_version: number;
  experiments: IExperimentSummary[];
}

/** The JSON body of every error response. */
export interface IErrorResponse {
  message: string;
  reason?: string;
}
