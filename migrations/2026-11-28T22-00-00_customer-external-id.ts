import { sql, type Kysely } from 'kysely';

/**
 * Customers get `external_id`: another system's id for the person (a shop account, an import's
 * key), trimmed, 1-200 characters, unique among live customers and compared exactly (case counts),
 * like the external ids of companies and deals. Batch upserts and imports match on it.
 *
 * Expand only, for a live table:
 * 1. the column is nullable without a default, and its check is added NOT VALID, in one short
 *    transaction: both are metadata-only changes, so the ACCESS EXCLUSIVE lock lasts an instant
 *    (lock_timeout bounds the wait behind a long transaction: the migration fails and can be run
 *    again instead of queueing every write behind it);
 * 2. the check is validated, a scan under SHARE UPDATE EXCLUSIVE (reads and writes go on);
 * 3. the unique index is built CONCURRENTLY, outside a transaction; an invalid index left by an
 *    interrupted build is dropped and built again.
 * Running it again is harmless.
 */
const INDEX = 'idx_customers_external_id';
const CHECK = 'customer_mgmt_customers_external_id_length';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows: checks } = await sql<{ name: string }>`
    SELECT conname AS name FROM pg_constraint WHERE conname = ${CHECK} AND conrelid = 'customer_mgmt_customers'::regclass`.execute(db);
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
    await sql`ALTER TABLE customer_mgmt_customers ADD COLUMN IF NOT EXISTS external_id text`.execute(trx);
    if (checks.length === 0) {
      await sql`ALTER TABLE customer_mgmt_customers
        ADD CONSTRAINT ${sql.id(CHECK)} CHECK (char_length(external_id) BETWEEN 1 AND 200) NOT VALID`.execute(trx);
    }
  });
  await sql`ALTER TABLE customer_mgmt_customers VALIDATE CONSTRAINT ${sql.id(CHECK)}`.execute(db);

  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${INDEX}`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(INDEX)}`.execute(db);
  await sql`CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(INDEX)}
    ON customer_mgmt_customers (external_id) WHERE deleted_at IS NULL AND external_id IS NOT NULL`.execute(db);
}
