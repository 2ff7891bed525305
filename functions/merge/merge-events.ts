import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { undeliveredInStream } from '../events/stream-backlog.js';
import { writeClaimLease } from '../events/write-claims.js';

/**
 * A select of one event row for the event log (the columns of `eventInsertColumns`), its data given
 * as SQL so that a statement can put in it what only it knows (what moved). Claimed for delivery
 * right after commit when `claimingDb` claims on write and no earlier event of its stream is still
 * undelivered (so delivery never overtakes its stream).
 */
export function eventRow(claimingDb: Kysely<Database>, event: Omit<DomainEvent, 'data'>, data: RawBuilder<unknown>): RawBuilder<unknown> {
  const lease = writeClaimLease(claimingDb);
  const claimedUntil = lease
    ? sql`case when not ${undeliveredInStream(event.aggregateType, param.uuid(event.aggregateId))} then ${param.timestamptz(new Date(Date.parse(event.occurredAt) + lease).toISOString())} end`
    : sql`cast(null as timestamptz)`;
  return sql`select ${param.uuid(event.eventId)} as event_id, cast(${event.aggregateType} as text) as aggregate_type, ${param.uuid(event.aggregateId)} as aggregate_id,
    cast(${event.aggregateVersion} as integer) as aggregate_version, cast(${event.type} as text) as event_type,
    cast(${event.eventVersion} as integer) as event_version,
    ${param.timestamptz(event.occurredAt)} as occurred_at, cast(${event.actor} as text) as actor, ${data} as data, ${claimedUntil} as claimed_until`;
}

/** The column list matching `eventRow`. */
export const eventInsertColumns = sql`(event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, claimed_until)`;
