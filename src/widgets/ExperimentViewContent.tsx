/**
 * The Lumino side of an experiment view: forwards resizes and visibility to
 * the charts (plotly cannot see panel resizes; hidden charts are unmounted so
 * their WebGL contexts are released) and re-reads chart colours on theme change.
 */
import { Clipboard, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ExperimentViewBody } from '../components/experimentView/ExperimentViewBody';
import { ExperimentStatsModel } from '../models/experimentStats';
import { ExperimentViewModel } from '../models/experimentView';
import { MetricCurvesModel } from '../models/metricCurves';
import { IPlotTheme, readPlotTheme } from '../plot/theme';

export class ExperimentViewContent extends ReactWidget {
  constructor(options: ExperimentViewContent.IOptions) {
    super();
    this.addClass('tb-ExperimentView-content');
    this.model = options.model;
    this.curves = options.curves;
    this.stats = options.stats;
    this._trans = options.trans;
    this._artifactUrl = options.artifactUrl;
    this._goToCell = options.goToCell ?? null;
    this._theme = readPlotTheme();
  }

  readonly model: ExperimentViewModel;
  readonly curves: MetricCurvesModel;
  readonly stats: ExperimentStatsModel;

  get resized(): ISignal<this, void> {
    return this._resized;
  }

  /** Re-read the --jp-* colours (after a theme change). */
  refreshTheme(): void {
    this._theme = readPlotTheme(this.node);
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <ExperimentViewBody
        model={this.model}
        curves={this.curves}
        stats={this.stats}
        trans={this._trans}
        theme={this._theme}
        resized={this._resized}
        visible={this._visible}
        artifactUrl={this._artifactUrl}
        onExport={csv => this._download(csv)}
        onCopy={text => Clipboard.copyToSystem(text)}
        onGoToCell={this._goToCell ?? undefined}
      />
    );
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._emitResized();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    if (!this._visible) {
      this._visible = true;
      this.update();
    }
    this._emitResized();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    // Unmounting the charts purges them and frees their WebGL contexts.
    this._visible = false;
    this.update();
  }

  private _emitResized(): void {
    if (this._resizeFrame) {
      cancelAnimationFrame(this._resizeFrame);
    }
    this._resizeFrame = requestAnimationFrame(() => {
      this._resizeFrame = 0;
      this._resized.emit();
    });
  }

  private _download(csv: string): void {
    const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `${this.model.name.replace(/[\\/:*?"<>|]+/g, '_')}-trials.csv`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private _trans: TranslationBundle;
  private _artifactUrl: (id: number) => string;
  private _goToCell: ((provenance: Record<string, unknown>) => void) | null;
  private _theme: IPlotTheme;
  private _visible = true;
  private _resizeFrame = 0;
  private _resized = new Signal<this, void>(this);
}

export namespace ExperimentViewContent {
  export interface IOptions {
    model: ExperimentViewModel;
    curves: MetricCurvesModel;
    stats: ExperimentStatsModel;
    trans: TranslationBundle;
    artifactUrl(id: number): string;
    goToCell?: (provenance: Record<string, unknown>) => void;
  }
}
