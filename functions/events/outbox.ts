import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';
import { reusablePlan } from '../db/reusable-plans.js';
import { param, toNullableIsoTimestamp } from '../db/sql-values.js';
import { EVENTS, rowToEvent, type EventRow } from './event-table.js';
import { undeliveredInStream } from './stream-backlog.js';

/**
 * Only one relay claims at a time: a second one gets an empty batch instead of competing for
 * rows. Held for the claim statement only (its own transaction, also through the Data API).
 */
export const RELAY_CLAIM_LOCK = 0x434d_524c; // "CMRL"

/** How a failed delivery counts: retried without limit, parked after maxAttempts, or parked at once. */
export type FailureKind = 'transient' | 'permanent' | 'poison';

export interface DeliveryFailure {
  readonly eventId: string;
  readonly error: string;
  readonly kind: FailureKind;
}

export interface Outbox {
  /** Claims the oldest deliverable events for `leaseMs` (one statement; empty while another relay claims). */
  claimBatch(limit: number, leaseMs: number, now: Date): Promise<DomainEvent[]>;
  /** Claims the given events, if they are deliverable now (the immediate path after a commit). */
  claimEvents(eventIds: readonly string[], leaseMs: number, now: Date): Promise<DomainEvent[]>;
  markPublished(eventIds: readonly string[], now: Date): Promise<void>;
  /** Counts an attempt, keeps the error and releases the lease; returns the ids it parked. */
  recordFailures(failures: readonly DeliveryFailure[], maxAttempts: number, now: Date): Promise<string[]>;
  release(eventIds: readonly string[]): Promise<void>;
  countParked(): Promise<number>;
  /**
   * The undelivered events right now: how many are parked, when the oldest deliverable one
   * happened (null: none), and when the first current claim on one lapses (null: none is claimed).
   */
  pendingState(now: Date): Promise<{ parked: number; oldestPendingAt: string | null; nextClaimLapse: string | null }>;
}

const ids = (eventIds: readonly string[]) => sql.join(eventIds.map((id) => param.uuid(id)));
const at = (date: Date) => param.timestamptz(date.toISOString());

/**
 * The claim, as one statement. Candidates are the oldest undelivered, unparked and unleased
 * events, row-locked with SKIP LOCKED so concurrent claimers never take the same row. A
 * candidate is claimed only if every earlier undelivered event of its stream (aggregate type
 * and id) is claimed with it: an earlier one leased by someone else, locked right now, or beyond
 * the batch keeps the later ones back, so a stream's events are never sent out of order.
 */
function claimStatement(filter: RawBuilder<unknown>, limit: number, leaseMs: number, now: Date) {
  return sql<EventRow>`
    with candidates as (
      select position, aggregate_type, aggregate_id from ${sql.table(EVENTS)}
      where published_at is null and parked_at is null
        and (claimed_until is null or claimed_until <= ${at(now)})
        and ${filter}
      order by position
      limit ${limit}
      for update skip locked
    ), claimable as (
      select c.position from candidates c
      where not ${undeliveredInStream(
        sql.ref('c.aggregate_type'),
        sql.ref('c.aggregate_id'),
        sql`earlier.position < c.position and earlier.position not in (select position from candidates)`,
      )}
    )
    update ${sql.table(EVENTS)} e set claimed_until = ${at(new Date(now.getTime() + leaseMs))}
    from claimable where e.position = claimable.position
    returning e.*`;
}

function inLogOrder(rows: readonly EventRow[]): DomainEvent[] {
  return [...rows].sort((a, b) => Number(a.position) - Number(b.position)).map(rowToEvent);
}

/** The event log as the outbox: claims, delivery outcomes and parking, each one statement on any dialect. */
export function createOutbox(db: Kysely<Database>): Outbox {
  return {
    async claimBatch(limit, leaseMs, now) {
      const onlyOneRelay = sql`(select pg_try_advisory_xact_lock(${sql.lit(RELAY_CLAIM_LOCK)}))`;
      const { rows } = await claimStatement(onlyOneRelay, limit, leaseMs, now).execute(db);
      return inLogOrder(rows);
    },

    async claimEvents(eventIds, leaseMs, now) {
      if (eventIds.length === 0) return [];
      const { rows } = await claimStatement(sql`event_id in (${ids(eventIds)})`, eventIds.length, leaseMs, now).execute(db);
      return inLogOrder(rows);
    },

    async markPublished(eventIds, now) {
      if (eventIds.length === 0) return;
      await sql`${reusablePlan}
        update ${sql.table(EVENTS)} set published_at = ${at(now)}, claimed_until = null
        where event_id in (${ids(eventIds)}) and published_at is null`.execute(db);
    },

    async recordFailures(failures, maxAttempts, now) {
      if (failures.length === 0) return [];
      const values = sql.join(failures.map((f) => sql`(${param.uuid(f.eventId)}, ${f.error.slice(0, 2000)}, ${sql.lit(f.kind)})`));
      const { rows } = await sql<{ event_id: string; parked_at: unknown }>`
        update ${sql.table(EVENTS)} e set
          publish_attempts = e.publish_attempts + 1,
          last_error = f.error,
          claimed_until = null,
          parked_at = case
            when f.kind = 'poison' or (f.kind = 'permanent' and e.publish_attempts + 1 >= ${maxAttempts}) then ${at(now)}
          end
        from (values ${values}) as f (event_id, error, kind)
        where e.event_id = f.event_id and e.published_at is null
        returning e.event_id, e.parked_at`.execute(db);
      return rows.filter((row) => row.parked_at !== null).map((row) => row.event_id);
    },

    async release(eventIds) {
      if (eventIds.length === 0) return;
      await sql`update ${sql.table(EVENTS)} set claimed_until = null where event_id in (${ids(eventIds)}) and published_at is null`.execute(
        db,
      );
    },

    async pendingState(now) {
      const { rows } = await sql<{ parked: number | string; oldest: Date | string | null; lapse: Date | string | null }>`
        select
          (select count(*) from ${sql.table(EVENTS)} where parked_at is not null) as parked,
          (select min(occurred_at) from ${sql.table(EVENTS)} where published_at is null and parked_at is null) as oldest,
          (select min(claimed_until) from ${sql.table(EVENTS)}
            where published_at is null and parked_at is null and claimed_until > ${at(now)}) as lapse`.execute(db);
      const row = rows[0];
      return {
        parked: Number(row?.parked ?? 0),
        oldestPendingAt: toNullableIsoTimestamp(row?.oldest ?? null),
        nextClaimLapse: toNullableIsoTimestamp(row?.lapse ?? null),
      };
    },

    async countParked() {
      const { rows } = await sql<{
        parked: number | string;
      }>`select count(*) as parked from ${sql.table(EVENTS)} where parked_at is not null`.execute(db);
      return Number(rows[0]?.parked ?? 0);
    },
  };
}
