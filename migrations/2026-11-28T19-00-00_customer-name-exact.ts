import { sql, type Kysely } from 'kysely';

/**
 * Live customers by lower-cased name, for the possible duplicates a create warns of (the same
 * name, case aside): a btree lookup that stays cheap however common the name is. Similar names
 * (pg_trgm, the GIN index of 2026-11-28T17) are for the duplicate reads, not for every insert: on
 * 100,000 customers they cost a create 13–50 ms of PostgreSQL time. Built CONCURRENTLY on a live
 * table, outside a transaction; an invalid index left by an interrupted build is built again.
 */
const NAME = 'idx_customers_name_lower';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${NAME}`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(NAME)}`.execute(db);
  await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(NAME)} ON customer_mgmt_customers (lower(name)) WHERE deleted_at IS NULL`.execute(
    db,
  );
}
