import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';
import { param, toNullableIsoTimestamp } from '../db/sql-values.js';
import { EVENTS, rowToEvent, type EventRow } from './event-table.js';

export const DELIVERY_STATES = ['pending', 'published', 'parked'] as const;
export type DeliveryStateFilter = (typeof DELIVERY_STATES)[number];

export interface DeliveryState {
  readonly publishedAt: string | null;
  readonly publishAttempts: number;
  readonly lastError: string | null;
  readonly parkedAt: string | null;
}

export interface LoggedEvent {
  readonly event: DomainEvent;
  readonly delivery: DeliveryState;
}

export interface EventLogQuery {
  /** Only events logged after this one; undefined starts at the beginning of the log. */
  readonly after?: string | undefined;
  readonly state?: DeliveryStateFilter | undefined;
  /** Only the events of one kind of aggregate (`customer`, `company`, …), or of one stream with `aggregateId`. */
  readonly aggregateType?: string | undefined;
  readonly aggregateId?: string | undefined;
  readonly limit: number;
}

/** A page of the log, or `unknown_after` when the event named in `after` does not exist. */
export type EventLogPage =
  { readonly kind: 'page'; readonly events: readonly LoggedEvent[]; readonly hasMore: boolean } | { readonly kind: 'unknown_after' };

const STATE_FILTERS: Record<DeliveryStateFilter, RawBuilder<boolean>> = {
  pending: sql<boolean>`e.published_at is null and e.parked_at is null`,
  published: sql<boolean>`e.published_at is not null`,
  parked: sql<boolean>`e.parked_at is not null`,
};

type PageRow = { [K in keyof EventRow]: EventRow[K] | null };

function toLogged(row: EventRow): LoggedEvent {
  return {
    event: rowToEvent(row),
    delivery: {
      publishedAt: toNullableIsoTimestamp(row.published_at),
      publishAttempts: Number(row.publish_attempts),
      lastError: row.last_error,
      parkedAt: toNullableIsoTimestamp(row.parked_at),
    },
  };
}

/**
 * Reads the event log in log order with each event's delivery state, one statement: with
 * `after`, a lateral join from the anchor event tells "unknown event" (no row at all) from
 * "nothing newer" (one row without an event).
 */
export async function readEventLog(db: Kysely<Database>, query: EventLogQuery): Promise<EventLogPage> {
  const filters = [query.state ? STATE_FILTERS[query.state] : sql<boolean>`true`];
  if (query.aggregateType !== undefined) filters.push(sql<boolean>`e.aggregate_type = ${query.aggregateType}`);
  if (query.aggregateId !== undefined) filters.push(sql<boolean>`e.aggregate_id = ${param.uuid(query.aggregateId)}`);
  const filter = sql.join(filters, sql` and `);
  const take = query.limit + 1;
  const anchor =
    query.after === undefined
      ? sql`(select cast(0 as bigint) as position)`
      : sql`(select position from ${sql.table(EVENTS)} where event_id = ${param.uuid(query.after)})`;
  const { rows } = await sql<PageRow>`
    select page.*
    from ${anchor} anchor
    left join lateral (
      select e.* from ${sql.table(EVENTS)} e
      where e.position > anchor.position and ${filter}
      order by e.position
      limit ${take}
    ) page on true
    order by page.position`.execute(db);
  if (rows.length === 0) return { kind: 'unknown_after' };
  const events = rows.filter((row): row is PageRow & EventRow => row.event_id !== null);
  return { kind: 'page', events: events.slice(0, query.limit).map(toLogged), hasMore: events.length > query.limit };
}
