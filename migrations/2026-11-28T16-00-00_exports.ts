import { sql, type Kysely } from 'kysely';

// Exports: what was asked (object, format, the search), where the job stands, and the counts.
// A new table only, so the migration runs in one transaction (migrations/index.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_exports (
      id             uuid PRIMARY KEY,
      object         text NOT NULL CHECK (object IN ('customers', 'companies', 'deals', 'interactions')),
      format         text NOT NULL CHECK (format IN ('csv', 'jsonl')),
      request        jsonb NOT NULL,
      requested_by   text NOT NULL,
      state          text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
      expected_rows  bigint CHECK (expected_rows >= 0),
      rows_written   bigint NOT NULL DEFAULT 0 CHECK (rows_written >= 0),
      file_key       text,
      error          text,
      requested_at   timestamptz NOT NULL,
      started_at     timestamptz,
      finished_at    timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE customer_mgmt_exports`.execute(db);
}
