import type { DomainEvent } from '../shared/domain-event.js';

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
  'CustomerErased',
] as const;
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

/** A fact about one customer: an event of the `customer` stream. */
export type CustomerEvent = DomainEvent<CustomerEventType>;

export type { ChangeContext } from '../shared/domain-event.js';
