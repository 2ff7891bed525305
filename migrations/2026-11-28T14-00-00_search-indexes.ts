import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the common search shapes (issue 18) that the existing ones leave to a filter:
 * a sales rep's customers in one status, newest first — the most common saved view — walked the
 * created_at index backwards and dropped every other rep's rows (2,073 read for 21 at 100,000
 * customers and 50 reps, more the fewer such customers a rep has). With (assigned_to, status,
 * created_at, id) the page is a range of 21 index entries, forwards or backwards.
 *
 * On a live table: CONCURRENTLY (no write lock), outside a transaction (the migrator runs
 * without one); an invalid index left by an interrupted build is dropped and built again.
 */
const INDEXES = [
  ['idx_customers_owner_status_created', sql`customer_mgmt_customers (assigned_to, status, created_at, id) WHERE deleted_at IS NULL`],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, definition] of INDEXES) {
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${name}`.execute(db);
    if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(name)} ON ${definition}`.execute(db);
  }
}
