import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_idempotency_keys (
      caller       text NOT NULL,
      key          text NOT NULL,
      fingerprint  text NOT NULL,
      state        text NOT NULL CHECK (state IN ('in_progress', 'completed')),
      response     jsonb,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (caller, key)
    )`.execute(db);
  // Expired keys are swept by age; the index keeps that cheap.
  await sql`CREATE INDEX idx_idempotency_created ON customer_mgmt_idempotency_keys (created_at)`.execute(db);
}
