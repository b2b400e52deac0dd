/** RFC 4180 CSV, safe to open in a spreadsheet. */
import { ITrialRow } from '../api/types';
import { formatCell, ITrialColumn } from './trialColumns';

/**
 * One field: quoted when it holds a comma, quote, line break or edge spaces;
 * text that a spreadsheet would run as a formula gets a leading apostrophe.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value !== 'string') {
    return String(value);
  }
  let text = value;
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?\d/.test(text)) {
    text = `'${text}`;
  }
  if (/[",\r\n]/.test(text) || text.trim() !== text) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/** A header line and one line per record, CRLF-separated as RFC 4180 says. */
export function toCSV(
  header: readonly string[],
  records: readonly (readonly (string | number | boolean | null)[])[]
): string {
  const lines = [header.map(csvField).join(',')];
  for (const record of records) {
    lines.push(record.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Trial rows with the given columns as CSV: raw values, full precision. */
export function trialsCSV(
  columns: readonly ITrialColumn[],
  rows: readonly ITrialRow[]
): string {
  return toCSV(
    columns.map(column => column.label),
    rows.map(row =>
      columns.map(column => {
        const value = column.value(row);
        if (typeof value === 'number' || typeof value === 'boolean') {
          return Number.isNaN(value) ? 'NaN' : value;
        }
        return value === null ? null : formatCell(value, 'name');
      })
    )
  );
}
