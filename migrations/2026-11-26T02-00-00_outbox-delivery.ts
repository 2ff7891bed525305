import { sql, type Kysely } from 'kysely';

// The event log doubles as the outbox: these columns track delivery to EventBridge.
// Adding nullable columns and defaults is metadata-only on PostgreSQL 11+, safe on a live table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE customer_mgmt_events
      ADD COLUMN publish_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN claimed_until timestamptz,
      ADD COLUMN last_error text,
      ADD COLUMN parked_at timestamptz`.execute(db);
  await sql`DROP INDEX idx_events_unpublished`.execute(db);
  await sql`CREATE INDEX idx_events_unpublished ON customer_mgmt_events (position) WHERE published_at IS NULL AND parked_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX idx_events_parked ON customer_mgmt_events (parked_at) WHERE parked_at IS NOT NULL`.execute(db);
}
