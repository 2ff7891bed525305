import { sql, type RawBuilder } from 'kysely';
import { table } from '../db/sql-names.js';
import { EVENTS } from './event-table.js';

/**
 * Whether the stream `(aggregateType, aggregateId)` still has an event that is neither delivered
 * nor parked (`also` narrows which: it may name the row as `earlier`). A new event is claimed for
 * delivery right after its write only when this is false, so that delivery never overtakes its stream.
 *
 * Written as `coalesce(published_at, parked_at) is null`, the predicate of idx_events_pending_stream
 * (migration 2026-11-29T03-00-00): only that index, or the stream's own, can answer it, each reading
 * this stream's entries alone. Spelled `published_at is null and parked_at is null` it also matched
 * the relay's idx_events_unpublished (every undelivered event, in position order), which the planner
 * picks whenever the statistics still say the backlog is empty, and then every write read the whole
 * backlog: during an EventBridge outage, when the backlog grows faster than autovacuum analyzes the
 * table, each write grew slower with it (0.7 ms at 5,000 undelivered events, 4 µs after).
 */
export function undeliveredInStream(
  aggregateType: unknown,
  aggregateId: unknown,
  also: RawBuilder<boolean> = sql`true`,
): RawBuilder<boolean> {
  return sql<boolean>`exists (
    select 1 from ${table(EVENTS)} as earlier
    where earlier.aggregate_type = ${aggregateType} and earlier.aggregate_id = ${aggregateId}
      and coalesce(earlier.published_at, earlier.parked_at) is null and ${also}
  )`;
}
