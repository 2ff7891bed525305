import type { ColumnType } from 'kysely';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';

/** The tables of migrations/2026-11-28T20-00-00_imports.ts; only the modules of this folder name their columns. */
export const IMPORTS = 'customer_mgmt_imports' as const;
export const IMPORT_ERRORS = 'customer_mgmt_import_errors' as const;
export const IMPORT_KEYS = 'customer_mgmt_import_keys' as const;

type Count = ColumnType<number | string, number | undefined, number>;

export interface ImportsTable {
  id: string;
  object: string;
  mode: string;
  match_on: string | null;
  dry_run: boolean;
  request: Jsonb<Record<string, unknown>>;
  requested_by: string;
  claims: Jsonb<Record<string, unknown>>;
  status: string;
  file_key: string;
  uploaded_at: NullableTimestamp;
  columns: ColumnType<string[] | string | null, string | null, string | null>;
  total_rows: ColumnType<number | string | null, number | null | undefined, number | null>;
  rows_done: Count;
  created: Count;
  updated: Count;
  unchanged: Count;
  failed: Count;
  duplicates_in_file: Count;
  report_key: string | null;
  error: string | null;
  requested_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface ImportErrorsTable {
  import_id: string;
  row_number: Count;
  seq: number;
  column_name: string | null;
  code: string;
  message: string;
  cells: ColumnType<(string | null)[] | string, string, string>;
}

export interface ImportKeysTable {
  import_id: string;
  key: string;
  row_number: Count;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_imports: ImportsTable;
    customer_mgmt_import_errors: ImportErrorsTable;
    customer_mgmt_import_keys: ImportKeysTable;
  }
}
