import type { Kysely } from 'kysely';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';

/**
 * Claiming a write's events in the write statement itself, so that delivering them right after
 * commit costs one more database call (the acknowledgement) instead of two (claim, then
 * acknowledge). The policy rides on a database handle made by whoever wires immediate delivery
 * (createServices), so every aggregate's store picks it up without new options; any other handle
 * (the relay-only configuration, a transaction, another wiring over the same database) writes
 * unclaimed events as before.
 */
const leases = new WeakMap<object, number>();

/** A handle on the same database whose writes claim their events for `leaseMs` (the relay takes them over after that). */
export function claimingEventsOnWrite(db: Kysely<Database>, leaseMs: number): Kysely<Database> {
  const claiming = db.withTables<{}>();
  leases.set(claiming, leaseMs);
  return claiming;
}

/** The lease a write through `db` claims its events for, or undefined when it must leave them to the relay. */
export function writeClaimLease(db: Kysely<Database>): number | undefined {
  return leases.get(db);
}

// Marks the very event objects a store returned, so the hook that receives them after commit
// knows which ones it already holds without asking the database.
const claimed = new WeakSet<DomainEvent>();

/** Records that the statement which stored `event` also claimed it. */
export function markClaimedOnWrite(event: DomainEvent): void {
  claimed.add(event);
}

/** Whether the statement that stored `event` claimed it (false for events it could not claim in order). */
export function wasClaimedOnWrite(event: DomainEvent): boolean {
  return claimed.has(event);
}

/** An `afterCommit` hook that wants the events claimed by the write statement, and for how long. */
export interface ClaimingHook {
  (events: readonly DomainEvent[]): Promise<void>;
  readonly claimLeaseMs?: number;
}
