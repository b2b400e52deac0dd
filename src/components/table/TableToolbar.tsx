/** Search, status filter, metric statistics, column chooser and CSV export. */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { MetricStat, Status, STATUSES } from '../../api/types';
import { ExperimentViewModel } from '../../models/experimentView';
import { TrialGroupsModel } from '../../models/trialGroups';
import { METRIC_STATS } from '../../models/trialColumns';
import { ColumnChooser } from './ColumnChooser';
import { GroupingControls } from './GroupingControls';

export function TableToolbar(props: {
  model: ExperimentViewModel;
  groups: TrialGroupsModel;
  trans: TranslationBundle;
  onExport(): void;
  onCompare(): void;
}): JSX.Element {
  const { model, trans } = props;
  const [chooserOpen, setChooserOpen] = React.useState(false);
  const statuses = model.statuses;
  const stats = model.columnState.stats;
  const filtered =
    model.filters.size + model.brushes.size + statuses.size > 0 ||
    model.search.trim() !== '';
  const toggleStatus = (status: Status) => {
    const next = new Set(statuses);
    if (next.has(status)) {
      next.delete(status);
    } else {
      next.add(status);
    }
    model.setStatuses(next);
  };
  return (
    <div className="tb-TableToolbar">
      <input
        className="tb-TableToolbar-search"
        type="search"
        placeholder={trans.__('Search trials and variables')}
        aria-label={trans.__('Search trials')}
        value={model.search}
        onChange={event => (model.search = event.target.value)}
      />
      <span
        className="tb-TableToolbar-group"
        role="group"
        aria-label={trans.__('Status')}
      >
        {STATUSES.map(status => (
          <button
            key={status}
            className={`tb-TableToolbar-chip${statuses.has(status) ? ' tb-mod-active' : ''}`}
            aria-pressed={statuses.has(status)}
            data-status={status}
            onClick={() => toggleStatus(status)}
          >
            {status}
          </button>
        ))}
      </span>
      <span
        className="tb-TableToolbar-group"
        role="group"
        aria-label={trans.__('Metric statistics')}
      >
        {METRIC_STATS.map((stat: MetricStat) => (
          <label key={stat} className="tb-TableToolbar-stat">
            <input
              type="checkbox"
              checked={stats.includes(stat)}
              onChange={event =>
                model.setStatVisible(stat, event.target.checked)
              }
            />
            {stat}
          </label>
        ))}
      </span>
      <GroupingControls groups={props.groups} trans={trans} />
      <span className="tb-TableToolbar-spacer" />
      <span className="tb-TableToolbar-count" aria-live="polite">
        {trans.__(
          '%1 of %2 trials',
          model.visibleRows.length,
          model.rows.length
        )}
        {model.loadingAll && ` · ${trans.__('loading all %1…', model.total)}`}
        {model.selection.size > 0 &&
          ` · ${trans.__('%1 selected', model.selection.size)}`}
      </span>
      {filtered && (
        <button className="tb-Button" onClick={() => model.clearFilters()}>
          {trans.__('Clear filters')}
        </button>
      )}
      <button
        className="tb-Button tb-TableToolbar-compare"
        disabled={model.selection.size < 2}
        onClick={props.onCompare}
      >
        {trans.__('Compare')}
      </button>
      <span className="tb-TableToolbar-chooserAnchor">
        <button
          className="tb-Button tb-TableToolbar-columns"
          aria-expanded={chooserOpen}
          onClick={() => setChooserOpen(!chooserOpen)}
        >
          {trans.__('Columns')}
        </button>
        {chooserOpen && (
          <ColumnChooser
            model={model}
            trans={trans}
            onClose={() => setChooserOpen(false)}
          />
        )}
      </span>
      <button
        className="tb-Button tb-TableToolbar-export"
        onClick={props.onExport}
      >
        {trans.__('Export CSV')}
      </button>
    </div>
  );
}
