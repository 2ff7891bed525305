import { sql, type Kysely } from 'kysely';

// CSV imports: the job (what was asked, who asked with which claims, where it stands, the counts),
// its row errors, and the unique keys its rows have already claimed (duplicates in the file are
// found across chunks without holding the file's keys in memory). New tables only, so the
// migration runs in one transaction (migrations/index.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_imports (
      id             uuid PRIMARY KEY,
      object         text NOT NULL CHECK (object IN ('customers', 'companies', 'deals')),
      mode           text NOT NULL CHECK (mode IN ('create', 'update', 'upsert')),
      match_on       text,
      dry_run        boolean NOT NULL,
      request        jsonb NOT NULL,
      requested_by   text NOT NULL,
      claims         jsonb NOT NULL,
      status         text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
      file_key       text NOT NULL,
      uploaded_at    timestamptz,
      columns        jsonb,
      total_rows     bigint CHECK (total_rows >= 0),
      rows_done      bigint NOT NULL DEFAULT 0 CHECK (rows_done >= 0),
      created        bigint NOT NULL DEFAULT 0,
      updated        bigint NOT NULL DEFAULT 0,
      unchanged      bigint NOT NULL DEFAULT 0,
      failed         bigint NOT NULL DEFAULT 0,
      duplicates_in_file bigint NOT NULL DEFAULT 0,
      report_key     text,
      error          text,
      requested_at   timestamptz NOT NULL,
      started_at     timestamptz,
      finished_at    timestamptz
    )`.execute(db);
  await sql`
    CREATE TABLE customer_mgmt_import_errors (
      import_id  uuid NOT NULL REFERENCES customer_mgmt_imports (id) ON DELETE CASCADE,
      row_number bigint NOT NULL,
      seq        integer NOT NULL,
      column_name text,
      code       text NOT NULL,
      message    text NOT NULL,
      cells      jsonb NOT NULL,
      PRIMARY KEY (import_id, row_number, seq)
    )`.execute(db);
  await sql`
    CREATE TABLE customer_mgmt_import_keys (
      import_id  uuid NOT NULL REFERENCES customer_mgmt_imports (id) ON DELETE CASCADE,
      key        text NOT NULL,
      row_number bigint NOT NULL,
      PRIMARY KEY (import_id, key)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE customer_mgmt_import_keys`.execute(db);
  await sql`DROP TABLE customer_mgmt_import_errors`.execute(db);
  await sql`DROP TABLE customer_mgmt_imports`.execute(db);
}
