import type { Kysely } from 'kysely';
import type { JsonObject } from '../../domain/shared/json.js';
import { narrowSearch, type SearchSort } from '../../domain/shared/search.js';
import type { AccessScope } from '../auth/access.js';
import type { SearchPosition } from '../search/search-cursor.js';
import { searchRequestSchema } from '../search/search-request.js';
import { runSearch } from '../search/search-route.js';
import { keyColumn } from '../search/search-statement.js';
import { exportEncoder } from './export-format.js';
import { EXPORT_OBJECTS, exportColumns } from './export-objects.js';
import { exportKey, type ExportStorage } from './export-storage.js';
import type { ExportStore } from './export-store.js';

export interface ExportRunnerDeps {
  readonly db: Kysely<any>;
  readonly store: ExportStore;
  readonly storage: ExportStorage;
  readonly now: () => Date;
  /** Records per search statement (one Data API call each; the file grows by one page at a time). */
  readonly pageSize: number;
  /** What the objects' representations read besides the row (a deal's clock). */
  readonly representWith: () => unknown;
}

export type ExportOutcome = 'succeeded' | 'failed' | 'skipped';

/** Only admins and managers export (exports.routes.ts), and they see every record. */
const EVERYTHING: AccessScope = { kind: 'all' };

/** A walk that wrote another number of rows than it counted at the start: the file is not kept. */
class CountMismatch extends Error {}

/**
 * The order of every export, whatever the object's default: oldest first by creation, id the
 * tiebreak. created_at never changes, so an update cannot move a record across the walk's
 * position; and a file written oldest first is re-created in the same order by an import (each
 * row gets a later or equal created_at and a larger UUID v7 than the row before it), so exporting
 * what an import made gives the same file.
 */
const OLDEST_FIRST: readonly SearchSort[] = [{ property: 'created_at', direction: 'asc' }];

/**
 * Works one queued export: a keyset walk over the object's search statement, each page encoded
 * and handed to the storage as it comes (memory holds one page, whatever the number of rows).
 * The walk is bounded by the export's start (created_at ≤ started_at, a filter of the search
 * itself): oldest first, a record created during the walk would sort after the walk's position
 * and be written without having been counted. The first page's statement also counts every
 * match (one snapshot for both); the walk must write exactly that many rows, or the export fails
 * saying both numbers and no file is kept.
 */
export async function runExport(deps: ExportRunnerDeps, id: string): Promise<ExportOutcome> {
  const startedAt = deps.now();
  const job = await deps.store.begin(id, startedAt);
  if (!job) return 'skipped';
  let readError: unknown;
  let written = 0;
  try {
    const object = EXPORT_OBJECTS[job.object];
    const request = searchRequestSchema(object).parse({ ...job.search, sorts: OLDEST_FIRST });
    const search = narrowSearch(request.search, { property: 'created_at', operator: 'lte', values: [startedAt.toISOString()] });
    const columns = exportColumns(object, request.properties);
    const encoder = exportEncoder(job.format, columns);
    const { sorts } = search;
    async function* file(): AsyncGenerator<string> {
      try {
        const header = encoder.header();
        if (header) yield header;
        let expected: number | undefined;
        let after: SearchPosition | undefined;
        for (;;) {
          const page = await runSearch(deps.db, object, { search, limit: deps.pageSize, after, count: expected === undefined }, EVERYTHING);
          expected ??= page.total ?? 0;
          const records = object
            .represent(page.rows, deps.representWith())
            .map((body): JsonObject => Object.fromEntries(columns.map((column) => [column, body[column] ?? null])));
          if (records.length > 0) yield encoder.page(records);
          written += records.length;
          await deps.store.progress(id, { expectedRows: expected, rowsWritten: written });
          const last = page.rows[page.rows.length - 1];
          if (!page.next || !last) break;
          after = { keys: sorts.map((_, index) => (last[keyColumn(index)] as string | null) ?? null), id: String(last.id) };
        }
        if (written !== expected) {
          throw new CountMismatch(
            `wrote ${written} rows but ${expected} matched when the export started (records changed during the walk); no file is kept, start the export again`,
          );
        }
      } catch (error) {
        readError = error;
        throw error;
      }
    }
    const key = exportKey(id, encoder.extension);
    await deps.storage.write(key, encoder.contentType, file());
    await deps.store.succeed(id, key, written, deps.now());
    return 'succeeded';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = readError === undefined ? `storing the file failed: ${message}` : message;
    await deps.store.fail(id, reason, deps.now());
    return 'failed';
  }
}
