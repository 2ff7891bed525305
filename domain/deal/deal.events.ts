import type { DomainEvent } from '../shared/domain-event.js';

export const DEAL_EVENT_TYPES = [
  'DealCreated',
  'DealUpdated',
  'DealStageChanged',
  'DealWon',
  'DealLost',
  'DealReopened',
  'DealAssigned',
  'DealTagsChanged',
  'DealContactsChanged',
  'DealDeleted',
] as const;
export type DealEventType = (typeof DEAL_EVENT_TYPES)[number];

/** A fact about one deal: an event of the `deal` stream. */
export type DealEvent = DomainEvent<DealEventType>;
