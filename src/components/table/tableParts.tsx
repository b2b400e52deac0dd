/**
 * Small pieces of the trial table: column widths, cell placement, the resize
 * handle of a header and the placeholder of a row not loaded yet.
 */
import * as React from 'react';

import { ITrialColumn } from '../../models/trialColumns';

export const ROW_HEIGHT = 26;
export const DEFAULT_WIDTH = 110;

export function defaultWidth(column: ITrialColumn): number {
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

export function cellStyle(
  width: number,
  pinnedLeft: number | null
): React.CSSProperties {
  return pinnedLeft === null
    ? { width, flex: 'none' }
    : { width, flex: 'none', position: 'sticky', left: pinnedLeft };
}

/** Drag the right edge of a header to resize its column. */
export function ResizeHandle(props: {
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

/** Where a virtual row sits: full table width, one row high, at its offset. */
export function rowStyle(start: number, width: number): React.CSSProperties {
  return { width, height: ROW_HEIGHT, transform: `translateY(${start}px)` };
}

/** A row the loader has not read yet: a quiet bar where its cells will be. */
export function PlaceholderRow(props: {
  index: number;
  start: number;
  width: number;
}): JSX.Element {
  return (
    <div
      role="row"
      aria-rowindex={props.index + 1}
      aria-busy="true"
      className={`tb-TrialTable-row tb-mod-placeholder${props.index % 2 ? ' tb-mod-odd' : ''}`}
      style={rowStyle(props.start, props.width)}
    >
      <span className="tb-TrialTable-placeholder" />
    </div>
  );
}
