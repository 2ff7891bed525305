import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS } from '../exports/export-format.js';
import type { ImportJob, ImportStore, StoredRowError } from './import-store.js';

/** The columns the error report adds after the file's own. */
export const REPORT_COLUMNS = ['import_row', 'import_error_column', 'import_error_code', 'import_error_message'] as const;

/** Where an import's error report goes in the export storage (downloaded like an export file). */
export const importReportKey = (importId: string) => `exports/import-errors-${importId}.csv`;

const PAGE = 500;

/**
 * The error report: the header of the file plus REPORT_COLUMNS, then each failed row once, in
 * file order, as it was in the file (an empty unquoted cell stays empty, a quoted empty one
 * stays `""`) with its errors (several joined by " | "). Fix the rows and import the report
 * itself: its extra columns map to no property and are ignored. Walked page by page from the
 * errors table, so it is never held whole in memory.
 */
export async function* importErrorReport(store: ImportStore, job: ImportJob): AsyncGenerator<string> {
  yield stringify([[...(job.columns ?? []), ...REPORT_COLUMNS]], { ...CSV_OPTIONS });
  let after: { row: number; seq: number } | undefined;
  let pending: StoredRowError[] = [];
  const line = (errors: readonly StoredRowError[]) => {
    const first = errors[0]!;
    const join = (values: readonly (string | null)[]) =>
      values.every((value) => value === null) ? null : values.map((value) => value ?? '').join(' | ');
    return [
      ...first.cells,
      String(first.row),
      join(errors.map((error) => error.column)),
      join(errors.map((error) => error.code)),
      join(errors.map((error) => error.message)),
    ];
  };
  for (;;) {
    const page = await store.errors(job.id, PAGE, after);
    const lines: (string | null)[][] = [];
    for (const error of page) {
      if (pending.length > 0 && pending[0]!.row !== error.row) {
        lines.push(line(pending));
        pending = [];
      }
      pending.push(error);
    }
    if (lines.length > 0) yield stringify(lines, { ...CSV_OPTIONS });
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    after = { row: last.row, seq: last.seq };
  }
  if (pending.length > 0) yield stringify([line(pending)], { ...CSV_OPTIONS });
}
