import type { ColumnType } from 'kysely';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';

/** The exports table (migrations/2026-11-28T16-00-00_exports.ts); only the modules of this folder name its columns. */
export const EXPORTS = 'customer_mgmt_exports' as const;

type Count = ColumnType<number | string, number | undefined, number>;

export interface ExportsTable {
  id: string;
  object: string;
  format: string;
  request: Jsonb<Record<string, unknown>>;
  requested_by: string;
  state: string;
  expected_rows: ColumnType<number | string | null, number | null | undefined, number | null>;
  rows_written: Count;
  file_key: string | null;
  error: string | null;
  requested_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_exports: ExportsTable;
  }
}
