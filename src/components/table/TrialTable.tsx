/**
 * The trial table: TanStack Table for the column model (pinning, sizing) and
 * TanStack Virtual for rows and columns, so only what is on screen is in the
 * DOM at 10,000 rows × 100 columns. State lives in ExperimentViewModel.
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
  ITrialColumn
} from '../../models/trialColumns';
import { useSignals } from '../useSignal';
import { StatusBadge } from '../StatusBadge';
import { TranslationBundle } from '@jupyterlab/translation';
import { ColumnFilterInput } from './ColumnFilterInput';

export const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 28;
const FILTER_HEIGHT = 28;
const DEFAULT_WIDTH = 110;
/** Visibility is decided by the model: the table only gets visible columns. */
const ALL_VISIBLE = {};
const IGNORE = (): void => undefined;

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

function defaultWidth(column: ITrialColumn): number {
  switch (column.kind) {
    case 'name':
      return 260;
    case 'start_time':
      return 150;
    case 'metric':
      return 120;
    default:
      return DEFAULT_WIDTH;
  }
}

export function TrialTable(props: ITrialTableProps): JSX.Element {
  const { model, trans } = props;
  const groups = props.groups ?? null;
  useSignals(model.changed, ...(groups ? [groups.changed] : []));

  const visibleColumns = model.visibleColumns;
  const rows = model.visibleRows;
  const columnState = model.columnState;
  const grouped = !!groups?.enabled && groups.groups.length > 0;
  const sort = model.sort;
  const sortColumn = sort ? model.column(sort.column) : undefined;
  // Trials and, averaged over seeds, the group rows (expanded ones followed by their trials).
  const display = React.useMemo<GroupedRow[]>(
    () =>
      grouped
        ? groups!.rows(
            rows,
            sortColumn
              ? { column: sortColumn, descending: sort!.descending }
              : null
          )
        : rows.map(row => ({
            kind: 'trial' as const,
            id: row.name,
            row,
            groupId: null
          })),
    [
      rows,
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
    data: rows as ITrialRow[],
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

  const scrollRef = React.useRef<HTMLDivElement>(null);
  const rowVirtualizer = useVirtualizer({
    count: display.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: index => display[index]?.id ?? index
  });
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
    if (!display.length) {
      return;
    }
    let next = focused;
    const current = display[Math.min(focused, display.length - 1)];
    if (event.key === 'ArrowDown') {
      next = Math.min(display.length - 1, focused + 1);
    } else if (event.key === 'ArrowUp') {
      next = Math.max(0, focused - 1);
    } else if (event.key === 'Enter') {
      if (current.kind === 'group') {
        groups?.toggleExpanded(current.id);
      } else {
        props.onOpenTrial(current.row.name);
      }
      event.preventDefault();
      return;
    } else if (event.key === 'Escape') {
      model.clearSelection();
      return;
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      model.setSelection(rows.map(row => row.name));
      event.preventDefault();
      return;
    } else {
      return;
    }
    event.preventDefault();
    setFocused(next);
    const target = display[next];
    if (target.kind === 'trial') {
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
          onResize={width => model.setColumnWidth(column.id, width)}
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
          filter={model.filters.get(column.id) ?? null}
          trans={trans}
          onChange={filter => model.setFilter(column.id, filter)}
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
    if (info.kind === 'status' && row.status) {
      content = <StatusBadge status={row.status} trans={trans} />;
    } else {
      content = formatCell(value, info.kind);
    }
    return (
      <div
        key={column.id}
        role="gridcell"
        className={`tb-TrialTable-cell${pinnedLeft !== null ? ' tb-mod-pinned' : ''}${isNumericKind(info.kind) ? ' tb-mod-numeric' : ''}`}
        style={cellStyle(column.getSize(), pinnedLeft)}
        title={typeof content === 'string' ? content : undefined}
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
      aria-rowcount={display.length}
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
        {rowVirtualizer.getVirtualItems().map(item => {
          const entry = display[item.index];
          if (!entry) {
            return null;
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
                style={{
                  width: totalWidth,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`
                }}
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
              style={{
                width: totalWidth,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`
              }}
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
      {!rows.length && (
        <div className="tb-TrialTable-empty">
          {model.rows.length
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

function cellStyle(
  width: number,
  pinnedLeft: number | null
): React.CSSProperties {
  return pinnedLeft === null
    ? { width, flex: 'none' }
    : { width, flex: 'none', position: 'sticky', left: pinnedLeft };
}

/** Drag the right edge of a header to resize its column. */
function ResizeHandle(props: {
  width: number;
  onResize(width: number): void;
}): JSX.Element {
  const onMouseDown = (event: React.MouseEvent) => {
    event.preventDefault();
    event.stopPropagation();
    const startX = event.clientX;
    const startWidth = props.width;
    const move = (moveEvent: MouseEvent) => {
      props.onResize(Math.max(48, startWidth + moveEvent.clientX - startX));
    };
    const up = () => {
      window.removeEventListener('mousemove', move);
      window.removeEventListener('mouseup', up);
    };
    window.addEventListener('mousemove', move);
    window.addEventListener('mouseup', up);
  };
  return (
    <span
      className="tb-TrialTable-resize"
      onMouseDown={onMouseDown}
      onClick={event => event.stopPropagation()}
    />
  );
}
