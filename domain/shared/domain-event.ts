import type { JsonObject } from './json.js';
import type { Timestamp } from './timestamp.js';

/**
 * A fact about one aggregate instance, appended to its stream in the event log in the same
 * statement (or transaction) as the change it records. `aggregateVersion` is the version the
 * change produced, so the events of one stream are totally ordered and gapless.
 */
export interface DomainEvent<Type extends string = string, Aggregate extends string = string> {
  readonly eventId: string;
  readonly type: Type;
  readonly eventVersion: number;
  /** The stream: `customer`, `company`, … with the instance's id. */
  readonly aggregateType: Aggregate;
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly occurredAt: Timestamp;
  readonly actor: string;
  readonly data: JsonObject;
}

/** What the shell supplies for every change: the clock, a fresh event id and who acts. */
export interface ChangeContext {
  readonly eventId: string;
  readonly now: Timestamp;
  readonly actor: string;
}
