import { sql, type Kysely } from 'kysely';

/**
 * The event log holds one stream per aggregate instance: (aggregate_type, aggregate_id,
 * aggregate_version) instead of (customer_id, customer_version). Written for a live table
 * (expand phase of expand/contract), statement by statement outside any transaction, so that no
 * step holds a lock longer than a moment and a failed deploy can simply run it again:
 *
 * 1. Add the three columns nullable — a catalogue-only change.
 * 2. Let customer_id/customer_version be null (other aggregates' events have none) — catalogue only.
 * 3. A trigger keeps old and new writers in step while both run during a deploy: a row written by
 *    the previous code (customer_* only) gets its stream columns, a customer event written by the
 *    new code (aggregate_* only) gets customer_* — so the previous relay still reads it.
 * 4. Backfill in batches of BATCH rows, each its own short statement (row locks on one batch).
 * 5. Constrain without a long lock: a CHECK added NOT VALID (instant), validated (a scan that
 *    blocks no writes), then SET NOT NULL, which PostgreSQL 12+ proves from the valid check
 *    without scanning again; the helper check is dropped.
 * 6. The unique stream index, built CONCURRENTLY (writes go on); an invalid leftover of an
 *    interrupted build is dropped and built again.
 *
 * The contract phase (dropping customer_id, customer_version, their constraint and the trigger)
 * is a later migration, once no deployed code reads those columns.
 */
const BATCH = 10_000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE customer_mgmt_events
      ADD COLUMN IF NOT EXISTS aggregate_type text,
      ADD COLUMN IF NOT EXISTS aggregate_id uuid,
      ADD COLUMN IF NOT EXISTS aggregate_version integer`.execute(db);
  await sql`
    ALTER TABLE customer_mgmt_events
      ALTER COLUMN customer_id DROP NOT NULL,
      ALTER COLUMN customer_version DROP NOT NULL`.execute(db);

  await sql`
    CREATE OR REPLACE FUNCTION customer_mgmt_events_fill_stream() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.aggregate_type IS NULL AND NEW.customer_id IS NOT NULL THEN
        NEW.aggregate_type := 'customer';
        NEW.aggregate_id := NEW.customer_id;
        NEW.aggregate_version := NEW.customer_version;
      ELSIF NEW.aggregate_type = 'customer' AND NEW.customer_id IS NULL THEN
        NEW.customer_id := NEW.aggregate_id;
        NEW.customer_version := NEW.aggregate_version;
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`DROP TRIGGER IF EXISTS customer_mgmt_events_fill_stream ON customer_mgmt_events`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_events_fill_stream BEFORE INSERT ON customer_mgmt_events
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_events_fill_stream()`.execute(db);

  for (;;) {
    const { numAffectedRows } = await sql`
      UPDATE customer_mgmt_events SET aggregate_type = 'customer', aggregate_id = customer_id, aggregate_version = customer_version
      WHERE position IN (SELECT position FROM customer_mgmt_events WHERE aggregate_type IS NULL ORDER BY position LIMIT ${sql.lit(BATCH)})`.execute(
      db,
    );
    if (Number(numAffectedRows ?? 0) === 0) break;
  }

  await sql`ALTER TABLE customer_mgmt_events DROP CONSTRAINT IF EXISTS customer_mgmt_events_stream_present`.execute(db);
  await sql`
    ALTER TABLE customer_mgmt_events ADD CONSTRAINT customer_mgmt_events_stream_present
      CHECK (aggregate_type IS NOT NULL AND aggregate_id IS NOT NULL AND aggregate_version IS NOT NULL) NOT VALID`.execute(db);
  await sql`ALTER TABLE customer_mgmt_events VALIDATE CONSTRAINT customer_mgmt_events_stream_present`.execute(db);
  await sql`
    ALTER TABLE customer_mgmt_events
      ALTER COLUMN aggregate_type SET NOT NULL,
      ALTER COLUMN aggregate_id SET NOT NULL,
      ALTER COLUMN aggregate_version SET NOT NULL`.execute(db);
  await sql`ALTER TABLE customer_mgmt_events DROP CONSTRAINT customer_mgmt_events_stream_present`.execute(db);

  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'idx_events_stream'`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY idx_events_stream`.execute(db);
  await sql`
    CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_events_stream
      ON customer_mgmt_events (aggregate_type, aggregate_id, aggregate_version)`.execute(db);
}
