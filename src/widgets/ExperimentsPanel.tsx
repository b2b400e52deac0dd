import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  collapseAllIcon,
  refreshIcon,
  SidePanel,
  tableRowsIcon,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Panel, Widget } from '@lumino/widgets';
import * as React from 'react';

import { ExperimentList } from '../components/ExperimentList';
import { trialbookIcon } from '../icons';
import { CommandIDs, ITrialbookModel } from '../tokens';

/** The sidebar panel listing experiments, their trials and components. */
export class ExperimentsPanel extends SidePanel {
  constructor(options: ExperimentsPanel.IOptions) {
    // A plain panel: one body needs no accordion title.
    super({ content: new Panel(), translator: options.translator });
    const { model, commands, trans } = options;
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
    this.toolbar.addItem(
      'all-trials',
      new ToolbarButton({
        icon: tableRowsIcon,
        tooltip: trans.__('All trials: query and compare across experiments'),
        className: 'tb-ExperimentsPanel-allTrials',
        onClick: () => void commands.execute(CommandIDs.openAllTrials)
      })
    );
    this.toolbar.addItem(
      'collapse-all',
      new ToolbarButton({
        icon: collapseAllIcon,
        tooltip: trans.__('Collapse all'),
        onClick: () => model.expansion.collapseAll()
      })
    );

    const body = ReactWidget.create(
      <ExperimentList model={model} commands={commands} trans={trans} />
    );
    body.addClass('tb-ExperimentsPanel-body');
    this.addWidget(body);
  }

  /** Showing the panel refreshes it: what users open should be current. */
  protected onAfterShow(): void {
    void this._model.refresh();
  }

  private readonly _model: ITrialbookModel;
}

export namespace ExperimentsPanel {
  export interface IOptions {
    model: ITrialbookModel;
    commands: CommandRegistry;
    trans: TranslationBundle;
    translator?: SidePanel.IOptions['translator'];
  }
}
