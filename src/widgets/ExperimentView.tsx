import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { trialbookIcon } from '../icons';
import { ExperimentStatsModel } from '../models/experimentStats';
import { ExperimentViewModel } from '../models/experimentView';
import { MetricCurvesModel } from '../models/metricCurves';
import { ExperimentViewContent } from './ExperimentViewContent';

/** A main-area tab for one experiment: trial table, charts, trial detail. */
export class ExperimentView extends MainAreaWidget<ExperimentViewContent> {
  constructor(options: ExperimentView.IOptions) {
    const content = new ExperimentViewContent(options);
    super({ content });
    const name = options.model.name;
    this.id = ExperimentView.idFor(name);
    this.addClass('tb-ExperimentView');
    this.title.label = name;
    this.title.caption = options.trans.__('Experiment %1', name);
    this.title.icon = trialbookIcon;
    this.title.closable = true;
    this.experimentName = name;
  }

  readonly experimentName: string;

  get model(): ExperimentViewModel {
    return this.content.model;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    const { model, curves, stats } = this.content;
    super.dispose();
    curves.dispose();
    stats.dispose();
    model.dispose();
  }
}

export namespace ExperimentView {
  export interface IOptions extends ExperimentViewContent.IOptions {
    model: ExperimentViewModel;
    curves: MetricCurvesModel;
    stats: ExperimentStatsModel;
    trans: TranslationBundle;
  }

  /** A stable id per experiment, so opening twice reveals one tab. */
  export function idFor(name: string): string {
    return `trialbook-experiment-${encodeURIComponent(name)}`;
  }
}
