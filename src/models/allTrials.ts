/**
 * The source of the All trials view: the trial table of every experiment
 * (`GET trials`) behind the interface one experiment's view reads.
 */
import { IAllTrialsResponse } from '../api/types';
import { IExperimentViewSource } from './experimentView';

/** Rows one request of the All trials view asks for at most (the view reads page by page). */
export const ALL_TRIALS_LIMIT = 10_000;

/** What the All trials view needs of the REST client (TrialbookClient satisfies it). */
export interface IAllTrialsClient {
  getAllTrials(
    query: Parameters<IExperimentViewSource['getTrialTable']>[1]
  ): Promise<IAllTrialsResponse>;
  getTrial: NonNullable<IExperimentViewSource['getTrial']>;
}

export function allTrialsSource(
  client: IAllTrialsClient
): IExperimentViewSource {
  return {
    getExperiment: async () => null,
    getTrialTable: (_name, query) =>
      client.getAllTrials({
        ...query,
        limit: Math.min(query?.limit ?? ALL_TRIALS_LIMIT, ALL_TRIALS_LIMIT)
      }),
    getTrial: name => client.getTrial(name)
  };
}
