/**
 * The statistics an experiment view shows beside its table: the verdict on
 * the claim, the coverage of the variable space and the trial groups. Kept
 * live from the view's own reloads: the verdict and the coverage change when
 * a trial's status does (only completed trials count), the groups' means with
 * any new data. No DOM.
 */
import {
  ICoverageResponse,
  IEvaluationResponse,
  IEvaluationOverrides,
  IExperimentDetail
} from '../api/types';
import { ExperimentViewModel } from './experimentView';
import { FetchedValue } from './fetched';
import { ITrialGroupsSource, TrialGroupsModel } from './trialGroups';

export interface IExperimentStatsSource extends ITrialGroupsSource {
  getEvaluation(
    experimentName: string,
    overrides?: IEvaluationOverrides
  ): Promise<IEvaluationResponse>;
  getCoverage(experimentName: string): Promise<ICoverageResponse>;
}

export class ExperimentStatsModel {
  constructor(options: ExperimentStatsModel.IOptions) {
    const { name, source } = options;
    this.name = name;
    this.evaluation = new FetchedValue(() => source.getEvaluation(name));
    this.coverage = new FetchedValue(() => source.getCoverage(name));
    this.groups = new TrialGroupsModel({ name, source });
  }

  readonly name: string;
  readonly evaluation: FetchedValue<IEvaluationResponse>;
  readonly coverage: FetchedValue<ICoverageResponse>;
  readonly groups: TrialGroupsModel;

  /** Reload everything that depends on trial statuses (and the groups). */
  refresh(): Promise<void> {
    return Promise.all([
      this.evaluation.refresh(),
      this.coverage.refresh(),
      this.groups.refresh()
    ]).then(() => undefined);
  }

  /**
   * Follow a view model's reloads. The verdict and coverage refetch when the
   * trials' statuses or the experiment's definition changed; the groups on
   * every data change (their means move while trials run).
   */
  follow(view: ExperimentViewModel): void {
    const onData = () => {
      this.groups.setVariables(view.available.variables);
      const signature = statusSignature(view.detail);
      if (signature !== this._signature) {
        this._signature = signature;
        // Without a claim there is no verdict to show (and no statistics to load).
        if (view.detail?.objective?.variable || this.evaluation.value?.claim) {
          void this.evaluation.refresh();
        }
        void this.coverage.refresh();
      }
      void this.groups.refresh();
    };
    view.dataChanged.connect(onData);
    this._unfollow = () => view.dataChanged.disconnect(onData);
    if (view.detail) {
      onData();
    }
  }

  dispose(): void {
    this._unfollow?.();
    this.evaluation.dispose();
    this.coverage.dispose();
    this.groups.dispose();
  }

  private _signature: string | null = null;
  private _unfollow: (() => void) | null = null;
}

export namespace ExperimentStatsModel {
  export interface IOptions {
    name: string;
    source: IExperimentStatsSource;
  }
}

/**
 * What a verdict and the coverage depend on: the definition and the server's
 * tallies of trials by status (kept at write time, whatever the trial count).
 */
export function statusSignature(detail: IExperimentDetail | null): string {
  return JSON.stringify([
    detail?.objective,
    detail?.variables,
    detail?.trial_count,
    detail?.status_counts
  ]);
}
