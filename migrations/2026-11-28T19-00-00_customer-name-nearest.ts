import { sql, type Kysely } from 'kysely';

/**
 * The nearest customer names by trigram distance (`name <-> $1 order by … limit n`), for the
 * possible duplicates a create warns of: a GiST index walks names in distance order and stops
 * after n, where the GIN index of 2026-11-28T17 must collect every name alike first (thousands for
 * a common first or last name). Built CONCURRENTLY on a live table, outside a transaction; an
 * invalid index left by an interrupted build is dropped and built again.
 */
const NAME = 'idx_customers_name_trgm_nearest';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${NAME}`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(NAME)}`.execute(db);
  await sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(NAME)} ON customer_mgmt_customers USING gist (name gist_trgm_ops) WHERE deleted_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.id(NAME)}`.execute(db);
}
