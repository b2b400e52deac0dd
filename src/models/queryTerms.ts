/**
 * Column filters and chart brushes written as terms of the query language
 * (docs/query.md), and the query the server receives: the user's text and the
 * terms joined by `and`. Plain functions, no DOM.
 */
import { IQueryError } from '../api/types';
import { CellValue, ITrialColumn } from './trialColumns';

/** A user's filter on one column. */
export type ColumnFilter =
  | { kind: 'text'; text: string }
  | { kind: 'range'; min: number | null; max: number | null };

/** A filter drawn on a chart (parallel-coordinates brushing). */
export type BrushFilter =
  | { kind: 'ranges'; ranges: [number, number][] }
  | { kind: 'values'; values: CellValue[] };

/** One term the bar shows beside the typed query; removing it clears its source. */
export interface IQueryTerm {
  /** The column id the term filters. */
  column: string;
  source: 'filter' | 'brush';
  text: string;
}

/** How the query language names a table column (`metrics.loss.min`, `params["a.b"]`). */
export function queryName(column: ITrialColumn): string {
  switch (column.kind) {
    case 'name':
      return 'name';
    case 'experiment':
      return 'experiment';
    case 'status':
      return 'status';
    case 'objective':
      return 'objective';
    case 'duration':
      return 'duration';
    case 'start_time':
      return 'started';
    case 'variable':
      return writtenName(['variables', column.key]);
    case 'parameter':
      return writtenName(['params', column.key]);
    case 'metric':
      return writtenName(['metrics', column.key, column.stat ?? 'last']);
  }
}

/** Dotted where a part is an identifier, else `["…"]` (as the server writes names). */
export function writtenName(parts: readonly string[]): string {
  let text = parts[0];
  for (const part of parts.slice(1)) {
    text += isPlainName(part) ? `.${part}` : `[${quote(part)}]`;
  }
  return text;
}

const KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif ' +
    'else except finally for from global if import in is lambda nonlocal not or ' +
    'pass raise return try while with yield'
  ).split(' ')
);

export function isPlainName(part: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && !KEYWORDS.has(part);
}

/** A value as a literal of the language. */
export function literal(value: CellValue): string {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : 'None';
  }
  return quote(value);
}

export function quote(text: string): string {
  return '"' + text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A column filter as a term; `null` when it filters nothing. */
export function filterTerm(
  column: ITrialColumn,
  filter: ColumnFilter
): string | null {
  const name = queryName(column);
  if (filter.kind === 'text') {
    const text = filter.text.trim();
    return text ? `${quote(text)} in ${name}` : null;
  }
  const parts: string[] = [];
  if (filter.min !== null) {
    parts.push(`${name} >= ${literal(filter.min)}`);
  }
  if (filter.max !== null) {
    parts.push(`${name} <= ${literal(filter.max)}`);
  }
  return parts.length ? parts.join(' and ') : null;
}

/** A brushed axis as a term: within one of the ranges, or one of the values. */
export function brushTerm(column: ITrialColumn, brush: BrushFilter): string {
  const name = queryName(column);
  if (brush.kind === 'values') {
    return `${name} in [${brush.values.map(literal).join(', ')}]`;
  }
  const ranges = brush.ranges.map(
    ([low, high]) => `${name} >= ${round(low)} and ${name} <= ${round(high)}`
  );
  return ranges.length === 1
    ? ranges[0]
    : `(${ranges.map(range => `(${range})`).join(' or ')})`;
}

/** Brushed bounds to six significant digits: readable in the bar, exact enough. */
function round(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** The query the server runs, and where the typed text sits in it. */
export interface ICombinedQuery {
  /** Empty when nothing is asked. */
  q: string;
  /** Offset of the typed text in `q` (errors there are shown under the text). */
  textOffset: number;
}

export function combineQuery(
  text: string,
  terms: readonly IQueryTerm[]
): ICombinedQuery {
  const typed = text.trim() ? text : '';
  if (!terms.length) {
    return { q: typed, textOffset: 0 };
  }
  const joined = terms.map(term => `(${term.text})`).join(' and ');
  if (!typed) {
    return { q: joined, textOffset: -1 };
  }
  // A newline before the closing parenthesis ends a trailing comment cleanly.
  return { q: `(${typed}\n) and ${joined}`, textOffset: 1 };
}

/** A server error placed on the typed text (or on the terms, with no caret). */
export interface IPlacedQueryError {
  message: string;
  /** 0-based offsets into the typed text; null when the error is in a term. */
  start: number | null;
  end: number | null;
}

export function placeError(
  error: IQueryError,
  combined: ICombinedQuery,
  text: string
): IPlacedQueryError {
  const start = error.offset - combined.textOffset;
  if (combined.textOffset >= 0 && start >= 0 && start <= text.length) {
    const end = Math.min(
      Math.max(error.end - combined.textOffset, start),
      text.length
    );
    return { message: error.message, start, end };
  }
  return { message: error.message, start: null, end: null };
}
