/**
 * The experiment view's content: header, table toolbar, the trial table, the
 * charts and a detail pane for one trial or a comparison of several.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { ExperimentStatsModel } from '../../models/experimentStats';
import { ExperimentViewModel } from '../../models/experimentView';
import { MetricCurvesModel } from '../../models/metricCurves';
import { IPlotTheme } from '../../plot/theme';
import { ChartsPanel } from '../charts/ChartsPanel';
import { TrialCompare } from '../detail/TrialCompare';
import { TrialDetail } from '../detail/TrialDetail';
import { ExperimentHypothesis } from '../hypothesis/ExperimentHypothesis';
import { QueryBar } from '../table/QueryBar';
import { TableToolbar } from '../table/TableToolbar';
import { TrialTable } from '../table/TrialTable';
import { useSignals } from '../useSignal';
import { ExperimentViewHeader } from './ExperimentViewHeader';

export interface IExperimentViewBodyProps {
  model: ExperimentViewModel;
  curves: MetricCurvesModel;
  /** Verdict, coverage and trial groups; `null` for the view of all trials. */
  stats: ExperimentStatsModel | null;
  trans: TranslationBundle;
  /** Current chart colours; a new object after a theme change. */
  theme: IPlotTheme;
  resized: ISignal<unknown, void>;
  /** False while the tab is hidden: charts are unmounted (WebGL released). */
  visible: boolean;
  artifactUrl(id: number): string;
  onExport(csv: string): void;
  /** Put text on the system clipboard. */
  onCopy(text: string): void;
  onGoToCell?(provenance: Record<string, unknown>): void;
  /** The layout inside the view changed (a pane opened or closed). */
  onLayoutChanged?(): void;
}

export function ExperimentViewBody(
  props: IExperimentViewBodyProps
): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed, model.detailChanged);
  const [comparing, setComparing] = React.useState(false);

  const opened = model.openedTrial ? model.row(model.openedTrial) : undefined;
  const selected = model.selectedRows;
  let pane: React.ReactNode = null;
  const paneKind = model.openedTrial ? 'detail' : comparing ? 'compare' : '';
  // The detail pane takes width from the charts: plotly must measure again.
  React.useEffect(() => props.onLayoutChanged?.(), [paneKind]);
  if (opened) {
    pane = (
      <TrialDetail
        row={opened}
        detail={model.trialDetail}
        trans={trans}
        artifactUrl={props.artifactUrl}
        onGoToCell={props.onGoToCell}
        onClose={() => void model.openTrial(null)}
      />
    );
  } else if (comparing && selected.length > 1) {
    pane = (
      <TrialCompare
        rows={selected}
        columns={model.visibleColumns}
        trans={trans}
        onOpen={name => void model.openTrial(name)}
        onClose={() => setComparing(false)}
      />
    );
  }

  return (
    <div className="tb-ExperimentViewBody">
      <ExperimentViewHeader model={model} trans={trans} />
      {props.stats && (
        <ExperimentHypothesis
          stats={props.stats}
          theme={props.theme}
          trans={trans}
          visible={props.visible}
          resized={props.resized}
          onCopy={props.onCopy}
        />
      )}
      {model.error && (
        <div className="tb-ExperimentViewBody-error" role="alert">
          {model.error}
        </div>
      )}
      <QueryBar
        query={model.query}
        columns={model.available}
        valuesOf={variable => model.variableValues(variable)}
        busy={model.querying}
        trans={trans}
      />
      <TableToolbar
        model={model}
        groups={props.stats?.groups ?? null}
        trans={trans}
        onExport={() =>
          void model.toCSV(props.stats?.groups ?? null).then(props.onExport)
        }
        onCompare={() => {
          void model.openTrial(null);
          setComparing(true);
        }}
      />
      <div className="tb-ExperimentViewBody-main">
        <div className="tb-ExperimentViewBody-left">
          <div className="tb-ExperimentViewBody-table">
            <TrialTable
              model={model}
              groups={props.stats?.groups ?? null}
              trans={trans}
              onOpenTrial={name => void model.openTrial(name)}
            />
          </div>
          <div className="tb-ExperimentViewBody-charts">
            {props.visible && (
              <ChartsPanel
                model={model}
                curves={props.curves}
                theme={props.theme}
                trans={trans}
                resized={props.resized}
              />
            )}
          </div>
        </div>
        {pane && <aside className="tb-ExperimentViewBody-pane">{pane}</aside>}
      </div>
    </div>
  );
}
