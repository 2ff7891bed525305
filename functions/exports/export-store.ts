import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import { EXPORTS, type ExportsTable } from './export-table.js';

export const EXPORT_OBJECT_NAMES = ['customers', 'companies', 'deals', 'interactions'] as const;
export type ExportObjectName = (typeof EXPORT_OBJECT_NAMES)[number];
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

/** The search part of an export request, as the caller sent it (validated; the runner parses it again with the search grammar). */
export interface ExportSearch {
  readonly filter_groups?: unknown;
  readonly query?: string;
  readonly properties?: readonly string[];
}

export interface ExportJob {
  readonly id: string;
  readonly object: ExportObjectName;
  readonly format: ExportFormat;
  readonly search: ExportSearch;
  readonly requestedBy: string;
  readonly state: ExportState;
  /** The number of matches, counted with the first page (null until the job starts). */
  readonly expectedRows: number | null;
  readonly rowsWritten: number;
  /** Where the file is in the export storage (set once it is complete). */
  readonly fileKey: string | null;
  readonly error: string | null;
  readonly requestedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

function rowToJob(row: Selectable<ExportsTable>): ExportJob {
  return {
    id: row.id,
    object: row.object as ExportObjectName,
    format: row.format as ExportFormat,
    search: fromJsonb(row.request) as ExportSearch,
    requestedBy: row.requested_by,
    state: row.state as ExportState,
    expectedRows: row.expected_rows === null ? null : Number(row.expected_rows),
    rowsWritten: Number(row.rows_written),
    fileKey: row.file_key,
    error: row.error,
    requestedAt: toIsoTimestamp(row.requested_at),
    startedAt: toNullableIsoTimestamp(row.started_at),
    finishedAt: toNullableIsoTimestamp(row.finished_at),
  };
}

export interface NewExport {
  readonly id: string;
  readonly object: ExportObjectName;
  readonly format: ExportFormat;
  readonly search: ExportSearch;
  readonly requestedBy: string;
}

/** The exports table: each state change is one conditional statement, so a duplicate or late invocation changes nothing. */
export function createExportStore(db: Kysely<Database>) {
  const table = sql.table(EXPORTS);
  const at = (now: Date) => param.timestamptz(now.toISOString());

  return {
    async create(job: NewExport, now: Date): Promise<ExportJob> {
      const { rows } = await sql<Selectable<ExportsTable>>`
        insert into ${table} (id, object, format, request, requested_by, state, requested_at)
        values (${param.uuid(job.id)}, ${job.object}, ${job.format}, ${param.jsonb(job.search)}, ${job.requestedBy}, 'queued', ${at(now)})
        returning *`.execute(db);
      return rowToJob(rows[0]!);
    },

    async get(id: string): Promise<ExportJob | null> {
      const row = await db.selectFrom(EXPORTS).selectAll().where('id', '=', param.uuid(id)).executeTakeFirst();
      return row ? rowToJob(row) : null;
    },

    /** Newest first (ids are UUID v7), after the cursor's id; one more than `limit` tells whether a next page exists. */
    async list(limit: number, before: string | undefined): Promise<{ items: ExportJob[]; hasMore: boolean }> {
      let query = db
        .selectFrom(EXPORTS)
        .selectAll()
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (before) query = query.where('id', '<', param.uuid(before));
      const rows = await query.execute();
      return { items: rows.slice(0, limit).map(rowToJob), hasMore: rows.length > limit };
    },

    /** queued → running; null when the job is not queued (a duplicate invocation then does nothing). */
    async begin(id: string, now: Date): Promise<ExportJob | null> {
      const { rows } = await sql<Selectable<ExportsTable>>`
        update ${table} set state = 'running', started_at = ${at(now)}
        where id = ${param.uuid(id)} and state = 'queued'
        returning *`.execute(db);
      return rows[0] ? rowToJob(rows[0]) : null;
    },

    async progress(id: string, progress: { expectedRows?: number; rowsWritten: number }): Promise<void> {
      await sql`
        update ${table} set rows_written = ${progress.rowsWritten},
          expected_rows = ${progress.expectedRows === undefined ? sql.ref('expected_rows') : progress.expectedRows}
        where id = ${param.uuid(id)} and state = 'running'`.execute(db);
    },

    async succeed(id: string, fileKey: string, rowsWritten: number, now: Date): Promise<void> {
      await sql`
        update ${table} set state = 'succeeded', file_key = ${fileKey}, rows_written = ${rowsWritten}, finished_at = ${at(now)}
        where id = ${param.uuid(id)} and state = 'running'`.execute(db);
    },

    async fail(id: string, error: string, now: Date): Promise<void> {
      await sql`
        update ${table} set state = 'failed', error = ${error.slice(0, 2000)}, finished_at = ${at(now)}
        where id = ${param.uuid(id)} and state in ('queued', 'running')`.execute(db);
    },
  };
}

export type ExportStore = ReturnType<typeof createExportStore>;
