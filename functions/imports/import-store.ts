import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import { IMPORT_ERRORS, IMPORT_KEYS, IMPORTS, type ImportErrorsTable, type ImportsTable } from './import-table.js';

export const IMPORT_OBJECT_NAMES = ['customers', 'companies', 'deals', 'interactions'] as const;
export type ImportObjectName = (typeof IMPORT_OBJECT_NAMES)[number];
export const IMPORT_MODES = ['create', 'update', 'upsert'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** How the file is read: csv-parse's delimiter and quote (one character each). */
export interface ImportFileOptions {
  readonly delimiter: string;
  readonly quote: string;
}

/** What the caller asked for, as validated by POST /imports. */
export interface ImportRequest {
  readonly object: ImportObjectName;
  readonly mode: ImportMode;
  /** The unique key an update or upsert finds its record by (null for create). */
  readonly matchOn: string | null;
  readonly dryRun: boolean;
  /** CSV column → property; null: every column named like an importable property maps to it. */
  readonly columnMappings: Readonly<Record<string, string>> | null;
  readonly options: ImportFileOptions;
}

export interface ImportCounts {
  readonly rows: number | null;
  readonly processed: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly duplicates_in_file: number;
}

export interface ImportJob extends ImportRequest {
  readonly id: string;
  readonly requestedBy: string;
  /** The creator's token claims: every row is checked with their roles. */
  readonly claims: Readonly<Record<string, string | number | boolean | string[]>>;
  readonly status: ImportStatus;
  readonly fileKey: string;
  readonly uploadedAt: string | null;
  /** The file's header row, once checked. */
  readonly columns: readonly string[] | null;
  readonly counts: ImportCounts;
  readonly reportKey: string | null;
  readonly error: string | null;
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface ImportRowError {
  readonly row: number;
  readonly column: string | null;
  readonly code: string;
  readonly message: string;
}

/** A row error with the row's cells, for the error report. */
export interface StoredRowError extends ImportRowError {
  readonly seq: number;
  readonly cells: readonly (string | null)[];
}

/** What one chunk did, recorded in the chunk's transaction. */
export interface ChunkOutcome {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly duplicates: number;
  readonly errors: readonly StoredRowError[];
  /** Unique keys the chunk's rows claimed (`email:ada@example.com`) and the row that claimed each. */
  readonly keys: readonly { readonly key: string; readonly row: number }[];
}

const STORED_REQUEST = (request: ImportRequest) => ({ column_mappings: request.columnMappings, options: request.options });

function rowToJob(row: Selectable<ImportsTable>): ImportJob {
  const request = fromJsonb(row.request) as { column_mappings: Record<string, string> | null; options: ImportFileOptions };
  return {
    id: row.id,
    object: row.object as ImportObjectName,
    mode: row.mode as ImportMode,
    matchOn: row.match_on,
    dryRun: row.dry_run === true || (row.dry_run as unknown) === 'true',
    columnMappings: request.column_mappings,
    options: request.options,
    requestedBy: row.requested_by,
    claims: fromJsonb(row.claims) as ImportJob['claims'],
    status: row.status as ImportStatus,
    fileKey: row.file_key,
    uploadedAt: toNullableIsoTimestamp(row.uploaded_at),
    columns: row.columns === null ? null : (fromJsonb(row.columns) as string[]),
    counts: {
      rows: row.total_rows === null ? null : Number(row.total_rows),
      processed: Number(row.rows_done),
      created: Number(row.created),
      updated: Number(row.updated),
      unchanged: Number(row.unchanged),
      failed: Number(row.failed),
      duplicates_in_file: Number(row.duplicates_in_file),
    },
    reportKey: row.report_key,
    error: row.error,
    requestedAt: toIsoTimestamp(row.requested_at),
    startedAt: toNullableIsoTimestamp(row.started_at),
    finishedAt: toNullableIsoTimestamp(row.finished_at),
  };
}

function rowToError(row: Selectable<ImportErrorsTable>): StoredRowError {
  return {
    row: Number(row.row_number),
    seq: row.seq,
    column: row.column_name,
    code: row.code,
    message: row.message,
    cells: fromJsonb(row.cells) as (string | null)[],
  };
}

/**
 * The imports tables. Every state change is one conditional statement; a chunk's counts move by
 * a compare-and-set on `rows_done` inside the chunk's own transaction, so a chunk is recorded
 * exactly when its writes commit, and two runners of one import can never both record one chunk.
 */
export function createImportStore(db: Kysely<Database>) {
  const table = sql.table(IMPORTS);
  const at = (now: Date) => param.timestamptz(now.toISOString());
  const returning = async (query: ReturnType<typeof sql<Selectable<ImportsTable>>>, on: Kysely<Database> = db) => {
    const { rows } = await query.execute(on);
    return rows[0] ? rowToJob(rows[0]) : null;
  };

  return {
    async create(
      job: ImportRequest & { id: string; requestedBy: string; claims: ImportJob['claims']; fileKey: string },
      now: Date,
    ): Promise<ImportJob> {
      return (await returning(sql<Selectable<ImportsTable>>`
        insert into ${table} (id, object, mode, match_on, dry_run, request, requested_by, claims, status, file_key, requested_at)
        values (${param.uuid(job.id)}, ${job.object}, ${job.mode}, ${job.matchOn}, ${job.dryRun}, ${param.jsonb(STORED_REQUEST(job))},
                ${job.requestedBy}, ${param.jsonb(job.claims)}, 'queued', ${job.fileKey}, ${at(now)})
        returning *`))!;
    },

    async get(id: string): Promise<ImportJob | null> {
      const row = await db.selectFrom(IMPORTS).selectAll().where('id', '=', param.uuid(id)).executeTakeFirst();
      return row ? rowToJob(row) : null;
    },

    /** Newest first (ids are UUID v7), after the cursor's id; one more than `limit` tells whether a next page exists. */
    async list(limit: number, before: string | undefined): Promise<{ items: ImportJob[]; hasMore: boolean }> {
      let query = db
        .selectFrom(IMPORTS)
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (before) query = query.where('id', '<', param.uuid(before));
      const rows = await query.execute();
      return { items: rows.slice(0, limit).map(rowToJob), hasMore: rows.length > limit };
    },

    /** Uploaded imports that have not ended: queued ones whose start was lost, running ones whose runner stopped. */
    async unfinished(): Promise<string[]> {
      const rows = await db
        .selectFrom(IMPORTS)
        .select('id')
        .where('status', 'in', ['queued', 'running'])
        .where('uploaded_at', 'is not', null)
        .orderBy('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /** The file has arrived (the upload is complete); null when the import is no longer queued or was uploaded already. */
    async uploaded(id: string, now: Date): Promise<ImportJob | null> {
      return returning(sql<Selectable<ImportsTable>>`
        update ${table} set uploaded_at = ${at(now)}
        where id = ${param.uuid(id)} and status = 'queued' and uploaded_at is null
        returning *`);
    },

    /**
     * queued (uploaded) → running, or a running import taken up again after its runner died: it
     * resumes after its last recorded chunk. Null when there is nothing to run.
     */
    async begin(id: string, now: Date): Promise<ImportJob | null> {
      return returning(sql<Selectable<ImportsTable>>`
        update ${table} set status = 'running', started_at = coalesce(started_at, ${at(now)})
        where id = ${param.uuid(id)} and uploaded_at is not null and status in ('queued', 'running')
        returning *`);
    },

    /** The checked file: its header and number of data rows (known before any row is written). */
    async checked(id: string, columns: readonly string[], rows: number): Promise<boolean> {
      const { rows: updated } = await sql<{ id: string }>`
        update ${table} set columns = ${param.jsonb(columns)}, total_rows = ${rows}
        where id = ${param.uuid(id)} and status = 'running'
        returning id`.execute(db);
      return updated.length === 1;
    },

    /**
     * Records a chunk on `on` (the chunk's transaction): its row errors, the keys it claimed, and
     * the counts, moved only if `rows_done` is still `processedBefore` and the import still running.
     * False means another runner moved on or the import was cancelled: the caller rolls back.
     */
    async recordChunk(on: Kysely<Database>, id: string, processedBefore: number, chunk: ChunkOutcome): Promise<boolean> {
      const { rows } = await sql<{ id: string }>`
        update ${table} set rows_done = rows_done + ${chunk.rows}, created = created + ${chunk.created},
          updated = updated + ${chunk.updated}, unchanged = unchanged + ${chunk.unchanged},
          failed = failed + ${chunk.failed}, duplicates_in_file = duplicates_in_file + ${chunk.duplicates}
        where id = ${param.uuid(id)} and status = 'running' and rows_done = ${processedBefore}
        returning id`.execute(on);
      if (rows.length !== 1) return false;
      if (chunk.errors.length > 0) {
        await sql`
          insert into ${sql.table(IMPORT_ERRORS)} (import_id, row_number, seq, column_name, code, message, cells)
          values ${sql.join(
            chunk.errors.map(
              (error) =>
                sql`(${param.uuid(id)}, ${error.row}, ${error.seq}, ${error.column}, ${error.code}, ${error.message.slice(0, 2000)}, ${param.jsonb(error.cells)})`,
            ),
          )}`.execute(on);
      }
      if (chunk.keys.length > 0) {
        await sql`
          insert into ${sql.table(IMPORT_KEYS)} (import_id, key, row_number)
          values ${sql.join(chunk.keys.map(({ key, row }) => sql`(${param.uuid(id)}, ${key}, ${row})`))}`.execute(on);
      }
      return true;
    },

    /** The rows of this import that already claimed any of `keys`, by key. */
    async claimedKeys(on: Kysely<Database>, id: string, keys: readonly string[]): Promise<Map<string, number>> {
      if (keys.length === 0) return new Map();
      const rows = await on
        .selectFrom(IMPORT_KEYS)
        .select(['key', 'row_number'])
        .where('import_id', '=', param.uuid(id))
        .where('key', 'in', [...keys])
        .execute();
      return new Map(rows.map((row) => [row.key, Number(row.row_number)]));
    },

    /** A page of row errors in file order, after (row, seq). */
    async errors(id: string, limit: number, after: { row: number; seq: number } | undefined): Promise<StoredRowError[]> {
      let query = db
        .selectFrom(IMPORT_ERRORS)
        .selectAll()
        .where('import_id', '=', param.uuid(id))
        .orderBy('row_number')
        .orderBy('seq')
        .limit(limit);
      if (after) {
        query = query.where((eb) =>
          eb.or([eb('row_number', '>', after.row), eb.and([eb('row_number', '=', after.row), eb('seq', '>', after.seq)])]),
        );
      }
      return (await query.execute()).map(rowToError);
    },

    async finish(id: string, reportKey: string | null, now: Date): Promise<boolean> {
      const { rows } = await sql<{ id: string }>`
        update ${table} set status = 'done', report_key = ${reportKey}, finished_at = ${at(now)}
        where id = ${param.uuid(id)} and status = 'running'
        returning id`.execute(db);
      return rows.length === 1;
    },

    async fail(id: string, error: string, now: Date): Promise<void> {
      await sql`
        update ${table} set status = 'failed', error = ${error.slice(0, 2000)}, finished_at = ${at(now)}
        where id = ${param.uuid(id)} and status in ('queued', 'running')`.execute(db);
    },

    /** queued or running → cancelled; null when the import was not there to cancel. */
    async cancel(id: string, now: Date): Promise<ImportJob | null> {
      return returning(sql<Selectable<ImportsTable>>`
        update ${table} set status = 'cancelled', finished_at = ${at(now)}
        where id = ${param.uuid(id)} and status in ('queued', 'running')
        returning *`);
    },
  };
}

export type ImportStore = ReturnType<typeof createImportStore>;
