import { stringify } from 'csv-stringify/sync';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import type { ExportFormat } from './export-store.js';

/**
 * How a page of representations becomes bytes of the file. Both formats are written page by page,
 * so the file is never held whole in memory.
 *
 * CSV (RFC 4180: CRLF line ends, a field with a comma, quote or line break in double quotes and
 * its quotes doubled — csv-stringify does the quoting): a header row of the property names, then
 * one row per record. A cell holds text and numbers as they are; `null` (no value) is an empty
 * cell and an empty string a quoted empty cell (`""`), so the two stay apart; arrays (tags) and
 * objects (money, the purchase summary) are their JSON text (`["vip","b2b"]`,
 * `{"amount_minor":1000,"currency":"EUR"}`), which reads back to the very same value.
 * JSONL: one JSON object per line (`\n`), the representation's own JSON.
 */
export interface ExportEncoder {
  readonly contentType: string;
  readonly extension: string;
  /** The text before the first record (the CSV header row). */
  header(): string;
  /** One page of records (each already cut to `columns`). */
  page(records: readonly JsonObject[]): string;
}

/** A CSV cell's text for one value (see ExportEncoder). */
export function csvCell(value: JsonValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * CRLF line ends; an empty string quoted (`""`) and `null` left empty. (csv-stringify's
 * `quoted_empty` would quote both — null becomes '' before it is judged — and the two would read
 * back alike.)
 */
export const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /^$/ } as const;

export function exportEncoder(format: ExportFormat, columns: readonly string[]): ExportEncoder {
  if (format === 'jsonl') {
    return {
      contentType: 'application/x-ndjson; charset=utf-8',
      extension: 'jsonl',
      header: () => '',
      page: (records) => records.map((record) => `${JSON.stringify(record)}\n`).join(''),
    };
  }
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: () => stringify([[...columns]], { ...CSV_OPTIONS }),
    page: (records) =>
      records.length === 0
        ? ''
        : stringify(
            records.map((record) => columns.map((column) => csvCell(record[column]))),
            { ...CSV_OPTIONS },
          ),
  };
}
