import { sql, type Kysely } from 'kysely';

/**
 * Issue 17, customer create: the warning of a create reads the first few live customers of the
 * same name by id (functions/duplicates/customer-duplicate-rules.ts). On lower(name) alone every
 * customer of that name was fetched and scored in each insert, a cost that grew with the name's
 * frequency (377 candidates, 3 ms of PostgreSQL CPU per create after a benchmark run); on
 * (lower(name), id) the lookup is a walk that stops after a handful of entries. The new index
 * answers everything the old one did (equality on lower(name)), so the old one goes: every insert
 * maintained both. CONCURRENTLY on a live table, outside a transaction; an invalid index left by an
 * interrupted build is built again.
 */
const NAME = 'idx_customers_name_lower_id';
const REPLACED = 'idx_customers_name_lower';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${NAME}`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(NAME)}`.execute(db);
  await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(NAME)} ON customer_mgmt_customers (lower(name), id) WHERE deleted_at IS NULL`.execute(
    db,
  );
  await sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.id(REPLACED)}`.execute(db);
}
