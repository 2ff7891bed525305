import { sql, type Kysely } from 'kysely';

/**
 * Issue 17, found measuring writes: before a write claims its new event for delivery it asks
 * whether its stream has an earlier event still undelivered (functions/events/stream-backlog.ts).
 * Asked as `published_at is null and parked_at is null`, the planner could answer it from the
 * relay's idx_events_unpublished, reading every undelivered event, whenever the statistics said the
 * backlog was empty — stale exactly when it matters, in an EventBridge outage on a large table. This
 * index holds the undelivered events by stream under a predicate only that question spells the
 * same way, so it is read for one stream whatever the statistics say. Empty while delivery keeps up.
 * CONCURRENTLY on a live table, outside a transaction; an invalid index left by an interrupted build
 * is built again.
 */
const NAME = 'idx_events_pending_stream';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ valid: boolean }>`
    SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ${NAME}`.execute(db);
  if (rows[0] && !rows[0].valid) await sql`DROP INDEX CONCURRENTLY ${sql.id(NAME)}`.execute(db);
  await sql`
    CREATE INDEX CONCURRENTLY IF NOT EXISTS ${sql.id(NAME)} ON customer_mgmt_events (aggregate_type, aggregate_id)
      WHERE coalesce(published_at, parked_at) IS NULL`.execute(db);
}
