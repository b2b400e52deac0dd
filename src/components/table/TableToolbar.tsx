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
  /** Seed-averaged groups; `null` where there are none (all trials). */
  groups: TrialGroupsModel | null;
  trans: TranslationBundle;
  onExport(): void;
  onCompare(): void;
}): JSX.Element {
  const { model, trans } = props;
  const [chooserOpen, setChooserOpen] = React.useState(false);
  const statuses = model.query.statuses;
  const stats = model.columnState.stats;
  const filtered = model.query.active || model.query.text !== '';
  const toggleStatus = (status: Status) => {
    const next = new Set(statuses);
    if (next.has(status)) {
      next.delete(status);
    } else {
      next.add(status);
    }
    model.query.setStatuses(next);
  };
  return (
    <div className="tb-TableToolbar">
      <SearchInput
        value={model.query.search}
        placeholder={trans.__('Search trials and variables')}
        label={trans.__('Search trials')}
        onChange={text => model.query.setSearch(text)}
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
                model.columns.setStatVisible(stat, event.target.checked)
              }
            />
            {stat}
          </label>
        ))}
      </span>
      <label
        className="tb-TableToolbar-stat tb-TableToolbar-nameAs"
        title={trans.__(
          'Label trials by their variable set instead of their name'
        )}
      >
        <input
          type="checkbox"
          checked={model.columnState.nameAs === 'variables'}
          onChange={event =>
            model.columns.setNameAs(event.target.checked ? 'variables' : 'name')
          }
        />
        {trans.__('Variables as names')}
      </label>
      {props.groups && <GroupingControls groups={props.groups} trans={trans} />}
      <span className="tb-TableToolbar-spacer" />
      <span className="tb-TableToolbar-count" aria-live="polite">
        {trans.__('%1 of %2 trials', model.total, model.trialCount)}
        {model.querying && ` · ${trans.__('asking the server…')}`}
        {model.selection.size > 0 &&
          ` · ${trans.__('%1 selected', model.selection.size)}`}
      </span>
      {filtered && (
        <button className="tb-Button" onClick={() => model.query.clear()}>
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
            layout={model.columns}
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

/** The search box; the server is asked once typing pauses, not on every key. */
function SearchInput(props: {
  value: string;
  placeholder: string;
  label: string;
  onChange(text: string): void;
}): JSX.Element {
  const [text, setText] = React.useState(props.value);
  React.useEffect(() => setText(props.value), [props.value]);
  React.useEffect(() => {
    if (text === props.value) {
      return;
    }
    const timer = setTimeout(() => props.onChange(text), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <input
      className="tb-TableToolbar-search"
      type="search"
      placeholder={props.placeholder}
      aria-label={props.label}
      value={text}
      onChange={event => setText(event.target.value)}
    />
  );
}

const SEARCH_DELAY_MS = 200;
