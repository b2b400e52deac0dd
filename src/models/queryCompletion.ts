/**
 * Completion for the query bar: names (variables, parameters, metric
 * summaries, fixed names), values of a variable after `==`, `!=` or `in [`,
 * and recent queries. Plain functions, no DOM.
 */
import { ITrialColumns, MetricStat } from '../api/types';
import { isPlainName, literal, writtenName } from './queryTerms';
import { CellValue } from './trialColumns';

/** The names every trial has (docs/query.md). */
export const FIXED_NAMES: readonly string[] = [
  'name',
  'status',
  'experiment',
  'created',
  'started',
  'ended',
  'duration',
  'objective'
];

const STATS: readonly MetricStat[] = [
  'last',
  'min',
  'max',
  'avg',
  'stddev',
  'count'
];

const STATUS_VALUES = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopped',
  'Interrupted'
];

export interface ICompletionItem {
  /** What the list shows. */
  label: string;
  /** What replaces `from`–`to`. */
  insert: string;
  kind: 'name' | 'value' | 'recent';
}

export interface ICompletion {
  items: ICompletionItem[];
  /** The replaced span of the text (0-based, `to` exclusive). */
  from: number;
  to: number;
}

export interface ICompletionContext {
  columns: ITrialColumns;
  /** Known values of a variable (by its bare name). */
  valuesOf(variable: string): readonly CellValue[];
  recent: readonly string[];
  /** At most this many items. */
  limit?: number;
}

/** Every name a query can use, as a user writes it. */
export function queryNames(columns: ITrialColumns): string[] {
  const names = [...FIXED_NAMES];
  const variables = new Set(columns.variables);
  for (const name of new Set([...columns.variables, ...columns.parameters])) {
    const group = variables.has(name) ? 'variables' : 'params';
    names.push(
      FIXED_NAMES.includes(name) || !isPlainName(name)
        ? writtenName([group, name])
        : name
    );
  }
  for (const metric of columns.metrics) {
    for (const stat of STATS) {
      names.push(writtenName(['metrics', metric, stat]));
    }
  }
  return [...new Set(names)];
}

/** What to offer with the cursor at `cursor` in `text`. */
export function complete(
  text: string,
  cursor: number,
  context: ICompletionContext
): ICompletion {
  const limit = context.limit ?? 12;
  const before = text.slice(0, cursor);
  const after = text.slice(cursor).match(/^[\w.]*/)![0];
  const to = cursor + after.length;

  const value = before.match(
    /([A-Za-z_][\w.]*)\s*(?:==|!=|\bin\s*[[(](?:[^\])]*,)?)\s*("[^"]*|[\w.-]*)$/
  );
  if (value) {
    const variable = value[1].replace(/^(variables|params|parameters)\./, '');
    const typed = value[2].replace(/^"/, '').toLocaleLowerCase();
    const known =
      variable === 'status' ? STATUS_VALUES : context.valuesOf(variable);
    const items = known
      .map(item => literal(item))
      .filter(item =>
        item.replace(/^"/, '').toLocaleLowerCase().startsWith(typed)
      )
      .slice(0, limit)
      .map(item => ({ label: item, insert: item, kind: 'value' as const }));
    if (items.length) {
      return { items, from: cursor - value[2].length, to };
    }
  }

  const word = before.match(/[A-Za-z_][\w.]*$/)?.[0] ?? '';
  if (!word && before.trim() === '') {
    return recentItems(text, context.recent, limit);
  }
  if (!word) {
    return { items: [], from: cursor, to: cursor };
  }
  const lower = word.toLocaleLowerCase();
  const names = queryNames(context.columns);
  const starts = names.filter(name =>
    name.toLocaleLowerCase().startsWith(lower)
  );
  const contains = names.filter(
    name => !starts.includes(name) && name.toLocaleLowerCase().includes(lower)
  );
  const items = [...starts, ...contains]
    .filter(name => name !== word + after)
    .slice(0, limit)
    .map(name => ({ label: name, insert: name, kind: 'name' as const }));
  if (!items.length) {
    return recentItems(text, context.recent, limit);
  }
  return { items, from: cursor - word.length, to };
}

/** Recent queries that continue what is typed; they replace the whole text. */
function recentItems(
  text: string,
  recent: readonly string[],
  limit: number
): ICompletion {
  const typed = text.trim().toLocaleLowerCase();
  const items = recent
    .filter(
      query =>
        query !== text.trim() && query.toLocaleLowerCase().startsWith(typed)
    )
    .slice(0, limit)
    .map(query => ({ label: query, insert: query, kind: 'recent' as const }));
  return { items, from: 0, to: text.length };
}

/** The text with a completion applied, and where the cursor goes. */
export function applyCompletion(
  text: string,
  completion: ICompletion,
  item: ICompletionItem
): { text: string; cursor: number } {
  const next =
    text.slice(0, completion.from) + item.insert + text.slice(completion.to);
  return { text: next, cursor: completion.from + item.insert.length };
}
