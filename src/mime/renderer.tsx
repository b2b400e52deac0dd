/**
 * The renderer of Trialbook's MIME types in cell outputs. It lives as long as
 * its output; `renderModel` runs again whenever the output's data changes
 * (including the PNG it writes back itself), so it only rebuilds when the
 * payload itself changed.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { ISignal, Signal } from '@lumino/signaling';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { TrialbookClient } from '../api/client';
import { IEvaluationResponse } from '../api/types';
import { IPlotElement } from '../components/charts/PlotlyChart';
import { ICardActions, RecordCard } from '../components/inline/InlineCard';
import { InlineChart } from '../components/inline/InlineChart';
import { ExperimentCardView } from '../components/inline/ExperimentCardView';
import { EvaluationView } from '../components/inline/EvaluationView';
import { FetchedValue } from '../models/fetched';
import { InlineChartModel } from '../models/inlineChart';
import { InlineRecordModel } from '../models/inlineRecord';
import { loadPlotly } from '../plot/plotly';
import { IPlotTheme, readPlotTheme } from '../plot/theme';
import {
  CommandIDs,
  ILiveUpdate,
  ITrialbookBridge,
  ITrialbookModel
} from '../tokens';
import { DisplayPayload, parsePayload } from './payload';
import { PngWriteback, pngBase64 } from './pngWriteback';

/** "loss — experiment e1", for the written-back picture. */
function chartTitle(chart: InlineChartModel): string {
  const { metric, scope, experiment, owners } = chart.payload;
  const what =
    scope === 'experiment' ? `experiment ${experiment}` : owners.join(', ');
  // Plotly reads a few HTML tags in titles: names are the user's text.
  return `${metric} — ${what}`.replace(
    /[<>&]/g,
    ch => `&#${ch.charCodeAt(0)};`
  );
}

/** What every inline renderer shares, set up once by the mime plugin. */
export interface IInlineContext {
  client: TrialbookClient;
  model: ITrialbookModel | null;
  bridge: ITrialbookBridge | null;
  commands: CommandRegistry;
  trans: TranslationBundle;
  /** Emitted after the JupyterLab theme changed (colours are re-read). */
  themeChanged: ISignal<unknown, void>;
}

export class TrialbookRenderer
  extends ReactWidget
  implements IRenderMime.IRenderer
{
  constructor(options: IRenderMime.IRendererOptions, context: IInlineContext) {
    super();
    this._mimeType = options.mimeType;
    this._context = context;
    this.addClass('tb-InlineOutput');
    this._theme = readPlotTheme();
    context.themeChanged.connect(this._onTheme, this);
    context.bridge?.received.connect(this._onLive, this);
    context.model?.changed.connect(this._onModel, this);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._mimeModel = model;
    const raw = model.data[this._mimeType];
    const key = JSON.stringify(raw ?? null);
    if (key === this._payloadKey) {
      return; // e.g. our own PNG write-back: nothing to redraw
    }
    this._payloadKey = key;
    this._teardown();
    const payload = parsePayload(this._mimeType, raw);
    this._payload = payload;
    if ('error' in payload) {
      this.update();
      return;
    }
    const { client } = this._context;
    if (payload.kind === 'chart') {
      const chart = new InlineChartModel({ source: client, payload });
      chart.setPlotWidth(Math.max(300, this.node.clientWidth - 160));
      this._chart = chart;
      // Each plotly draw (data, options, theme) is a new picture to write back.
      this._writeback = new PngWriteback({ write: () => this._writePng() });
      void chart.load();
    } else if (payload.kind === 'evaluation') {
      const { experiment, overrides } = payload;
      this._evaluation = new FetchedValue<IEvaluationResponse>(
        () => client.getEvaluation(experiment!, overrides),
        payload.evaluation
      );
      if (experiment) {
        // The saved verdict may be old: fetch the current one.
        this._evaluationKey = this._activityKey(experiment);
        void this._evaluation.refresh();
      }
    } else if (payload.kind === 'trial' || payload.kind === 'component') {
      this._record = new InlineRecordModel({
        kind: payload.kind,
        name: payload.name,
        source: client
      });
      this._record.changed.connect(() => this.update());
      void this._record.load();
    }
    this.update();
  }

  /** Whether the chart is drawn (tests and the write-back read it). */
  get chart(): InlineChartModel | null {
    return this._chart;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._observer?.disconnect();
    this._teardown();
    Signal.clearData(this);
    super.dispose();
  }

  protected render(): JSX.Element | null {
    const payload = this._payload;
    const { trans } = this._context;
    if (!payload) {
      return null;
    }
    if ('error' in payload) {
      return <div className="tb-InlineCard-error">{payload.error}</div>;
    }
    const actions = this._actions;
    switch (payload.kind) {
      case 'chart': {
        const experiment = payload.experiment;
        return this._chart ? (
          <InlineChart
            model={this._chart}
            theme={this._theme}
            trans={trans}
            visible={this._onScreen}
            resized={this._resized}
            onDrawn={this._onDrawn}
            onOpenExperiment={
              experiment
                ? () => actions.openExperiment?.(experiment)
                : undefined
            }
          />
        ) : null;
      }
      case 'experiment':
        return (
          <ExperimentCardView
            payload={payload}
            model={this._context.model}
            trans={trans}
            actions={actions}
          />
        );
      case 'evaluation':
        return this._evaluation ? (
          <EvaluationView
            evaluation={this._evaluation}
            experiment={payload.experiment}
            theme={this._theme}
            trans={trans}
            visible={this._onScreen}
            resized={this._resized}
            onOpenExperiment={actions.openExperiment}
          />
        ) : null;
      case 'trial':
      case 'component':
        return (
          <RecordCard
            kind={payload.kind}
            name={payload.name}
            title={
              payload.kind === 'component'
                ? payload.display_name || payload.name
                : payload.name
            }
            experiment={payload.kind === 'trial' ? payload.experiment : null}
            record={this._record?.record ?? null}
            fallbackStatus={payload.status}
            error={this._record?.error ?? null}
            trans={trans}
            actions={actions}
          />
        );
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this._observer && typeof IntersectionObserver !== 'undefined') {
      // Off-screen charts give their WebGL context back (browsers cap them).
      this._observer = new IntersectionObserver(
        entries => {
          const visible = entries.some(entry => entry.isIntersecting);
          if (visible !== this._onScreen) {
            this._onScreen = visible;
            this.update();
          }
        },
        { rootMargin: '300px' }
      );
      this._observer.observe(this.node);
    }
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._resized.emit();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._resized.emit();
  }

  private _onLive(_: unknown, update: ILiveUpdate): void {
    this._chart?.applyLiveUpdate(update);
    this._record?.applyLiveUpdate(update);
    const payload = this._payload;
    if (
      this._evaluation &&
      payload &&
      'kind' in payload &&
      payload.kind === 'evaluation' &&
      payload.experiment &&
      (update.resync ||
        update.events.some(
          event =>
            event.kind === 'status' &&
            event.experiments.includes(payload.experiment!)
        ))
    ) {
      // A trial finished (or failed): the verdict may have moved.
      void this._evaluation.refresh();
    }
  }

  /** Another writer's trials reach the sidebar's model through the change feed. */
  private _onModel(): void {
    const payload = this._payload;
    if (
      !this._evaluation ||
      !payload ||
      !('kind' in payload) ||
      payload.kind !== 'evaluation' ||
      !payload.experiment
    ) {
      return;
    }
    const key = this._activityKey(payload.experiment);
    if (key !== this._evaluationKey) {
      this._evaluationKey = key;
      void this._evaluation.refresh();
    }
  }

  /** What of an experiment's summary moves when its verdict may: trial statuses. */
  private _activityKey(experiment: string): string {
    const summary = this._context.model?.experiment(experiment)?.summary;
    return summary
      ? JSON.stringify([summary.trial_count, summary.status_counts])
      : '';
  }

  private _onTheme(): void {
    this._theme = readPlotTheme(this.node);
    this.update();
  }

  private readonly _onDrawn = (element: IPlotElement): void => {
    this._graph = element;
    this._writeback?.changed();
  };

  /** Capture the drawn chart into the output's data as `image/png`. */
  private async _writePng(): Promise<boolean> {
    const element = this._graph;
    const model = this._mimeModel;
    if (!element || !element.isConnected || !this._onScreen || !model) {
      return false;
    }
    const plotly = await loadPlotly();
    // An opaque background in the current theme's colours, so the picture
    // reads on any page (GitHub's dark mode included).
    const chart = this._chart;
    const base = element.layout ?? {};
    const layout = {
      ...base,
      paper_bgcolor: this._theme.paper,
      plot_bgcolor: this._theme.paper,
      // Elsewhere the toolbar is gone: the picture names what it shows.
      title: chart
        ? { text: chartTitle(chart), x: 0.01, font: { size: 13 } }
        : undefined,
      margin: { ...((base.margin as object) ?? {}), t: 36 }
    };
    const url = await plotly.toImage(
      { data: element.data ?? [], layout } as never,
      {
        format: 'png',
        width: Math.max(320, element.clientWidth),
        height: Math.max(200, element.clientHeight)
      }
    );
    const png = pngBase64(url);
    if (!png || this.isDisposed || model !== this._mimeModel) {
      return false;
    }
    if (model.data['image/png'] !== png) {
      model.setData({ data: { ...model.data, 'image/png': png } });
    }
    return true;
  }

  private _teardown(): void {
    this._writeback?.dispose();
    this._writeback = null;
    this._chart?.dispose();
    this._chart = null;
    this._record?.dispose();
    this._record = null;
    this._evaluation?.dispose();
    this._evaluation = null;
    this._graph = null;
  }

  private get _actions(): ICardActions {
    const { commands } = this._context;
    return {
      openExperiment: commands.hasCommand(CommandIDs.openExperiment)
        ? name => void commands.execute(CommandIDs.openExperiment, { name })
        : undefined,
      revealTrial: commands.hasCommand(CommandIDs.revealTrial)
        ? (experiment, trial) =>
            void commands.execute(CommandIDs.revealTrial, { experiment, trial })
        : undefined
    };
  }

  private readonly _mimeType: string;
  private readonly _context: IInlineContext;
  private _mimeModel: IRenderMime.IMimeModel | null = null;
  private _payloadKey: string | null = null;
  private _payload: DisplayPayload | { error: string } | null = null;
  private _chart: InlineChartModel | null = null;
  private _record: InlineRecordModel | null = null;
  private _evaluation: FetchedValue<IEvaluationResponse> | null = null;
  private _evaluationKey = '';
  private _writeback: PngWriteback | null = null;
  private _graph: IPlotElement | null = null;
  private _theme: IPlotTheme;
  private _onScreen = true;
  private _observer: IntersectionObserver | null = null;
  private readonly _resized = new Signal<this, void>(this);
}
