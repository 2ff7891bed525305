import { sql, type Kysely } from 'kysely';

// Counts the changes to a customer's purchase summary, which Order Management's events make
// without a new customer version; with the version it names the representation (the ETag).
// A NOT NULL column with a constant default is a metadata-only change on PostgreSQL 11+.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE customer_mgmt_customers ADD COLUMN summary_revision integer NOT NULL DEFAULT 0`.execute(db);
}
