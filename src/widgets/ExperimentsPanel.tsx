import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  refreshIcon,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { ExperimentList } from '../components/ExperimentList';
import { trialbookIcon } from '../icons';
import { IExperimentListModel } from '../tokens';

/** The left-sidebar panel listing experiments. */
export class ExperimentsPanel extends SidePanel {
  constructor(options: ExperimentsPanel.IOptions) {
    // A plain panel: one body needs no accordion title.
    super({ content: new Panel(), translator: options.translator });
    const { model, trans } = options;
    this._model = model;
    this.id = 'trialbook-experiments';
    this.addClass('tb-ExperimentsPanel');
    this.title.icon = trialbookIcon;
    this.title.caption = trans.__('Experiments');

    const heading = new Widget({ node: document.createElement('h2') });
    heading.addClass('tb-ExperimentsPanel-title');
    heading.node.textContent = trans.__('Experiments');
    this.header.addWidget(heading);

    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh the experiment list'),
        onClick: () => void model.refresh()
      })
    );

    const body = ReactWidget.create(
      <ExperimentList model={model} trans={trans} />
    );
    body.addClass('tb-ExperimentsPanel-body');
    this.addWidget(body);
  }

  /** Showing the panel refreshes it: what users open should be current. */
  protected onAfterShow(): void {
    void this._model.refresh();
  }

  private readonly _model: IExperimentListModel;
}

export namespace ExperimentsPanel {
  export interface IOptions {
    model: IExperimentListModel;
    trans: TranslationBundle;
    translator?: SidePanel.IOptions['translator'];
  }
}
