import type { JsonObject } from '../shared/json.js';
import type { Timestamp } from './customer.js';

export const CUSTOMER_EVENT_TYPES = [
  'CustomerCreated',
  'CustomerUpdated',
  'CustomerQualified',
  'CustomerConverted',
  'CustomerChurned',
  'CustomerReactivated',
  'CustomerAssigned',
  'CustomerTierChanged',
  'CustomerTagsChanged',
  'CustomerDeleted',
] as const;
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

/**
 * A fact about one customer, appended to the event log in the same statement as the change.
 * `customerVersion` is the aggregate version the change produced, so events of one customer
 * are totally ordered.
 */
export interface CustomerEvent {
  readonly eventId: string;
  readonly type: CustomerEventType;
  readonly eventVersion: number;
  readonly customerId: string;
  readonly customerVersion: number;
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
