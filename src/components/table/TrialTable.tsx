/**
 * The trial table: TanStack Table for the column model (pinning, sizing) and
 * TanStack Virtual for rows and columns, so only what is on screen is in the
 * DOM at 100,000 rows × 100 columns. Rows come from the model's loader: the
 * table asks for the ones on screen and paints placeholders until they
 * arrive. State lives in ExperimentViewModel.
 */
import {
  Column,
  columnPinningFeature,
  columnSizingFeature,
  columnVisibilityFeature,
  ColumnDef,
  tableFeatures,
  useTable
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import { ITrialRow } from '../../api/types';
import { ExperimentViewModel } from '../../models/experimentView';
import {
  groupCellText,
  GroupedRow,
  groupId,
  TrialGroupsModel
} from '../../models/trialGroups';
import {
  formatCell,
  isNumericKind,
  variableSetLabel
} from '../../models/trialColumns';
import { useSignals } from '../useSignal';
import { MiddleEllipsis } from '../MiddleEllipsis';
import { StatusBadge } from '../StatusBadge';
import { TranslationBundle } from '@jupyterlab/translation';
import { ColumnFilterInput } from './ColumnFilterInput';
import {
  cellStyle,
  DEFAULT_WIDTH,
  defaultWidth,
  PlaceholderRow,
  ResizeHandle,
  ROW_HEIGHT,
  rowStyle
} from './tableParts';

export { ROW_HEIGHT } from './tableParts';
const HEADER_HEIGHT = 28;
const FILTER_HEIGHT = 28;
/** Visibility is decided by the model: the table only gets visible columns. */
const ALL_VISIBLE = {};
const IGNORE = (): void => undefined;
/** Rows read beyond the screen on each side, so a short scroll finds them loaded. */
const LOAD_OVERSCAN = 40;
const NO_ROWS: ITrialRow[] = [];

const features = tableFeatures({
  columnVisibilityFeature,
  columnPinningFeature,
  columnSizingFeature
});

type Features = typeof features;
type TableColumn = Column<Features, ITrialRow, unknown>;

export interface ITrialTableProps {
  model: ExperimentViewModel;
  /** Averaged over seeds: group rows that expand to their trials. */
  groups?: TrialGroupsModel | null;
  trans: TranslationBundle;
  /** Open a trial's detail (double-click or Enter). */
  onOpenTrial(name: string): void;
}

export function TrialTable(props: ITrialTableProps): JSX.Element {
  const { model, trans } = props;
  const groups = props.groups ?? null;
  useSignals(
    model.changed,
    model.loader.changed,
    ...(groups ? [groups.changed] : [])
  );

  const visibleColumns = model.visibleColumns;
  const columnState = model.columnState;
  const grouped = !!groups?.enabled && groups.groups.length > 0;
  React.useEffect(() => {
    if (grouped) {
      // Averaged over seeds: the groups' trials come from the capped sample.
      model.sample.request();
    }
  }, [grouped, model]);
  const sampled = grouped ? model.sample.rows : NO_ROWS;
  const sort = model.sort;
  const sortColumn = sort ? model.column(sort.column) : undefined;
  // Averaged over seeds, the group rows (expanded ones followed by their trials).
  const display = React.useMemo<GroupedRow[] | null>(
    () =>
      grouped
        ? groups!.rows(
            sampled,
            sortColumn
              ? { column: sortColumn, descending: sort!.descending }
              : null
          )
        : null,
    [
      sampled,
      grouped,
      groups?.groups,
      sortColumn,
      sort?.descending,
      groups && grouped ? displayKey(groups) : ''
    ]
  );

  const columns = React.useMemo<ColumnDef<Features, ITrialRow, unknown>[]>(
    () =>
      visibleColumns.map(column => ({
        id: column.id,
        header: column.label,
        accessorFn: (row: ITrialRow) => column.value(row),
        // Averaged rows read "0.9090 ± 0.0042": numbers get more room.
        size:
          defaultWidth(column) +
          (grouped && isNumericKind(column.kind) ? 50 : 0),
        minSize: 48,
        maxSize: 800
      })),
    [visibleColumns.map(column => column.id).join('\0'), grouped]
  );
  const byId = React.useMemo(
    () => new Map(visibleColumns.map(column => [column.id, column])),
    [visibleColumns]
  );
  const pinned = React.useMemo(
    () => ({
      start: columnState.pinned.filter(id => byId.has(id)),
      end: [] as string[]
    }),
    [columnState.pinned, byId]
  );

  const table = useTable({
    features,
    columns,
    data: NO_ROWS,
    getRowId: (row: ITrialRow) => row.name,
    state: {
      columnPinning: pinned,
      columnSizing: columnState.widths,
      columnVisibility: ALL_VISIBLE
    },
    onColumnPinningChange: IGNORE,
    onColumnSizingChange: IGNORE,
    onColumnVisibilityChange: IGNORE
  });

  const startColumns = table.getStartVisibleLeafColumns() as TableColumn[];
  const centerColumns = table.getCenterVisibleLeafColumns() as TableColumn[];
  const startWidth = startColumns.reduce((sum, c) => sum + c.getSize(), 0);

  // The row at an index: a trial the loader holds, a group row, or undefined (a placeholder).
  const count = display ? display.length : model.total;
  const entryAt = (index: number): GroupedRow | undefined => {
    if (display) {
      return display[index];
    }
    const row = model.rowAt(index);
    return row && { kind: 'trial', id: row.name, row, groupId: null };
  };

  const scrollRef = React.useRef<HTMLDivElement>(null);
  const rowVirtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8
  });
  const virtualRows = rowVirtualizer.getVirtualItems();
  const firstShown = virtualRows.length ? virtualRows[0].index : 0;
  const lastShown = virtualRows.length
    ? virtualRows[virtualRows.length - 1].index
    : 0;
  // Ask the loader for the rows on screen. A new sort or query shows from the
  // top: the scroll back there asks again (not for where the old order was).
  const generation = model.loader.generation;
  const shownGeneration = React.useRef(generation);
  React.useEffect(() => {
    if (shownGeneration.current !== generation) {
      shownGeneration.current = generation;
      if (scrollRef.current && scrollRef.current.scrollTop > 0) {
        scrollRef.current.scrollTop = 0;
        return;
      }
    }
    if (!display) {
      model.ensureRange(
        Math.max(0, firstShown - LOAD_OVERSCAN),
        lastShown + 1 + LOAD_OVERSCAN
      );
    }
  }, [firstShown, lastShown, !display, generation]);
  const columnVirtualizer = useVirtualizer({
    horizontal: true,
    count: centerColumns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: index => centerColumns[index]?.getSize() ?? DEFAULT_WIDTH,
    overscan: 3,
    scrollPaddingStart: startWidth
  });
  const widthsKey = centerColumns.map(c => `${c.id}:${c.getSize()}`).join(',');
  React.useEffect(() => {
    columnVirtualizer.measure();
  }, [widthsKey]);

  const virtualColumns = columnVirtualizer.getVirtualItems();
  const centerTotal = columnVirtualizer.getTotalSize();
  const totalWidth = startWidth + centerTotal;
  const padLeft = virtualColumns.length ? virtualColumns[0].start : 0;
  const padRight = virtualColumns.length
    ? centerTotal - virtualColumns[virtualColumns.length - 1].end
    : 0;

  const [focused, setFocused] = React.useState(0);

  const onRowClick = (event: React.MouseEvent, name: string, index: number) => {
    setFocused(index);
    model.select(name, {
      range: event.shiftKey,
      toggle: event.ctrlKey || event.metaKey
    });
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (!count) {
      return;
    }
    let next = focused;
    const current = entryAt(Math.min(focused, count - 1));
    if (event.key === 'ArrowDown') {
      next = Math.min(count - 1, focused + 1);
    } else if (event.key === 'ArrowUp') {
      next = Math.max(0, focused - 1);
    } else if (event.key === 'Enter') {
      if (current?.kind === 'group') {
        groups?.toggleExpanded(current.id);
      } else if (current) {
        props.onOpenTrial(current.row.name);
      }
      event.preventDefault();
      return;
    } else if (event.key === 'Escape') {
      model.clearSelection();
      return;
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      // Every loaded trial: the table is read in windows, never whole.
      model.setSelection(model.loader.loadedRows().map(row => row.name));
      event.preventDefault();
      return;
    } else {
      return;
    }
    event.preventDefault();
    setFocused(next);
    const target = entryAt(next);
    if (target?.kind === 'trial') {
      model.select(target.row.name, { range: event.shiftKey });
    }
    rowVirtualizer.scrollToIndex(next);
  };

  const renderHeader = (column: TableColumn, pinnedLeft: number | null) => {
    const info = byId.get(column.id)!;
    const sort = model.sort;
    const sorted = sort?.column === column.id ? sort : null;
    return (
      <div
        key={column.id}
        role="columnheader"
        aria-sort={
          sorted ? (sorted.descending ? 'descending' : 'ascending') : 'none'
        }
        className={`tb-TrialTable-header${pinnedLeft !== null ? ' tb-mod-pinned' : ''}${isNumericKind(info.kind) ? ' tb-mod-numeric' : ''}`}
        data-column={column.id}
        style={cellStyle(column.getSize(), pinnedLeft)}
        title={trans.__('Sort by %1', info.label)}
        onClick={() => model.cycleSort(column.id)}
      >
        <span className="tb-TrialTable-headerLabel">{info.label}</span>
        {sorted && (
          <span className="tb-TrialTable-sortIcon" aria-hidden="true">
            {sorted.descending ? '▼' : '▲'}
          </span>
        )}
        <ResizeHandle
          width={column.getSize()}
          onResize={width => model.columns.setColumnWidth(column.id, width)}
        />
      </div>
    );
  };

  const renderFilter = (column: TableColumn, pinnedLeft: number | null) => {
    const info = byId.get(column.id)!;
    return (
      <div
        key={column.id}
        className={`tb-TrialTable-filter${pinnedLeft !== null ? ' tb-mod-pinned' : ''}`}
        style={cellStyle(column.getSize(), pinnedLeft)}
      >
        <ColumnFilterInput
          column={info}
          filter={model.query.filters.get(column.id) ?? null}
          trans={trans}
          onChange={filter => model.query.setFilter(column.id, filter)}
        />
      </div>
    );
  };

  const renderCell = (
    column: TableColumn,
    row: ITrialRow,
    pinnedLeft: number | null
  ) => {
    const info = byId.get(column.id)!;
    const value = info.value(row);
    let content: React.ReactNode;
    let title: string | undefined;
    if (info.kind === 'status' && row.status) {
      content = <StatusBadge status={row.status} trans={trans} />;
    } else if (info.kind === 'name' && columnState.nameAs === 'variables') {
      content = variableSetLabel(row);
      title = `${content}\n${row.name}`;
    } else if (info.kind === 'name' || info.kind === 'experiment') {
      // Generated names share long prefixes: keep their distinguishing end.
      title = String(value ?? '');
      content = <MiddleEllipsis text={title} title={null} />;
    } else {
      content = formatCell(value, info.kind);
    }
    return (
      <div
        key={column.id}
        role="gridcell"
        className={`tb-TrialTable-cell${pinnedLeft !== null ? ' tb-mod-pinned' : ''}${isNumericKind(info.kind) ? ' tb-mod-numeric' : ''}`}
        style={cellStyle(column.getSize(), pinnedLeft)}
        title={title ?? (typeof content === 'string' ? content : undefined)}
      >
        {content}
      </div>
    );
  };

  const renderGroupCell = (
    column: TableColumn,
    item: Extract<GroupedRow, { kind: 'group' }>,
    pinnedLeft: number | null
  ) => {
    const info = byId.get(column.id)!;
    const text = groupCellText(
      item.group,
      item.members,
      info,
      groups?.spread ?? 'ci'
    );
    const open = groups?.isExpanded(item.id) ?? false;
    return (
      <div
        key={column.id}
        role="gridcell"
        className={`tb-TrialTable-cell${pinnedLeft !== null ? ' tb-mod-pinned' : ''}${isNumericKind(info.kind) ? ' tb-mod-numeric' : ''}`}
        style={cellStyle(column.getSize(), pinnedLeft)}
        title={text}
      >
        {info.kind === 'name' ? (
          <>
            <span className="tb-TrialTable-caret" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="tb-TrialTable-groupLabel">{text}</span>
            <span className="tb-TrialTable-groupCount">
              {trans.__('n=%1', item.group.n)}
            </span>
          </>
        ) : (
          text
        )}
      </div>
    );
  };

  const startOffsets: number[] = [];
  startColumns.reduce((offset, column) => {
    startOffsets.push(offset);
    return offset + column.getSize();
  }, 0);

  const renderRowCells = (
    render: (column: TableColumn, pinnedLeft: number | null) => React.ReactNode
  ) => (
    <>
      {startColumns.map((column, i) => render(column, startOffsets[i]))}
      {padLeft > 0 && <div style={{ width: padLeft, flex: 'none' }} />}
      {virtualColumns.map(item => render(centerColumns[item.index], null))}
      {padRight > 0 && <div style={{ width: padRight, flex: 'none' }} />}
    </>
  );

  const selection = model.selection;
  return (
    <div
      className="tb-TrialTable"
      ref={scrollRef}
      role="grid"
      aria-rowcount={count}
      aria-colcount={visibleColumns.length}
      aria-multiselectable="true"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div
        className="tb-TrialTable-head"
        style={{ width: totalWidth, height: HEADER_HEIGHT + FILTER_HEIGHT }}
      >
        <div
          className="tb-TrialTable-headRow"
          role="row"
          style={{ height: HEADER_HEIGHT }}
        >
          {renderRowCells(renderHeader)}
        </div>
        <div
          className="tb-TrialTable-filterRow"
          style={{ height: FILTER_HEIGHT }}
        >
          {renderRowCells(renderFilter)}
        </div>
      </div>
      <div
        className="tb-TrialTable-body"
        style={{ width: totalWidth, height: rowVirtualizer.getTotalSize() }}
      >
        {virtualRows.map(item => {
          const entry = entryAt(item.index);
          if (!entry) {
            return (
              <PlaceholderRow
                key={`placeholder-${item.index}`}
                index={item.index}
                start={item.start}
                width={totalWidth}
              />
            );
          }
          if (entry.kind === 'group') {
            const open = groups?.isExpanded(entry.id) ?? false;
            return (
              <div
                key={entry.id}
                role="row"
                aria-rowindex={item.index + 1}
                aria-expanded={open}
                data-group={entry.id}
                className={`tb-TrialTable-row tb-TrialTable-groupRow${item.index === focused ? ' tb-mod-focused' : ''}`}
                style={rowStyle(item.start, totalWidth)}
                onClick={() => {
                  setFocused(item.index);
                  groups?.toggleExpanded(entry.id);
                }}
              >
                {renderRowCells((column, pinnedLeft) =>
                  renderGroupCell(column, entry, pinnedLeft)
                )}
              </div>
            );
          }
          const row = entry.row;
          const selected = selection.has(row.name);
          return (
            <div
              key={row.name}
              role="row"
              aria-rowindex={item.index + 1}
              aria-selected={selected}
              data-trial={row.name}
              className={`tb-TrialTable-row${selected ? ' tb-mod-selected' : ''}${item.index === focused ? ' tb-mod-focused' : ''}${item.index % 2 ? ' tb-mod-odd' : ''}${entry.groupId ? ' tb-mod-member' : ''}`}
              style={rowStyle(item.start, totalWidth)}
              onClick={event => onRowClick(event, row.name, item.index)}
              onDoubleClick={() => props.onOpenTrial(row.name)}
            >
              {renderRowCells((column, pinnedLeft) =>
                renderCell(column, row, pinnedLeft)
              )}
            </div>
          );
        })}
      </div>
      {!count && (
        <div className="tb-TrialTable-empty">
          {model.query.error
            ? trans.__('The query cannot run: fix it above.')
            : model.trialCount
              ? trans.__('No trial matches the filters.')
              : model.loading
                ? trans.__('Loading trials…')
                : trans.__(
                    'No trials yet. Run a cell with exp.run(...) to add one.'
                  )}
        </div>
      )}
    </div>
  );
}

/** Changes when a group is expanded or collapsed, or the spread switches. */
function displayKey(groups: TrialGroupsModel): string {
  const expanded = groups.groups.map(group =>
    groups.isExpanded(groupId(group)) ? '1' : '0'
  );
  return expanded.join('') + groups.spread;
}
