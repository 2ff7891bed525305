import type { Generated, Selectable } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';
import { fromJsonb, param, toIsoTimestamp } from '../db/sql-values.js';

/** The event log: one stream per aggregate instance, and the outbox the relay publishes from. */
export const EVENTS = 'customer_mgmt_events' as const;

export interface EventsTable {
  position: Generated<string | number>;
  event_id: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number;
  event_type: string;
  event_version: number;
  occurred_at: Timestamp;
  actor: string;
  data: Jsonb<Record<string, unknown>>;
  published_at: NullableTimestamp;
  publish_attempts: Generated<number>;
  claimed_until: NullableTimestamp;
  last_error: string | null;
  parked_at: NullableTimestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_events: EventsTable;
  }
}

export type EventRow = Selectable<EventsTable>;

/** The columns that make up the event itself (the rest is delivery state). */
type EventColumns = Omit<EventsTable, 'position' | 'published_at' | 'publish_attempts' | 'claimed_until' | 'last_error' | 'parked_at'>;

/** Column values for appending an event to its stream, each bound with the type PostgreSQL needs. */
export function eventToInsert(event: DomainEvent) {
  return {
    event_id: param.uuid(event.eventId),
    aggregate_type: event.aggregateType,
    aggregate_id: param.uuid(event.aggregateId),
    aggregate_version: event.aggregateVersion,
    event_type: event.type,
    event_version: event.eventVersion,
    occurred_at: param.timestamptz(event.occurredAt),
    actor: event.actor,
    data: param.jsonb(event.data),
  };
}

/** The one place that turns an event-log row into a domain event. */
export function rowToEvent(row: Selectable<EventColumns>): DomainEvent {
  return {
    eventId: row.event_id,
    type: row.event_type,
    eventVersion: Number(row.event_version),
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    aggregateVersion: Number(row.aggregate_version),
    occurredAt: toIsoTimestamp(row.occurred_at),
    actor: row.actor,
    data: fromJsonb(row.data) as DomainEvent['data'],
  };
}
