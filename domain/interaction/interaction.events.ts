import type { DomainEvent } from '../shared/domain-event.js';

export const INTERACTION_EVENT_TYPES = ['InteractionLogged', 'InteractionUpdated', 'InteractionDeleted'] as const;
export type InteractionEventType = (typeof INTERACTION_EVENT_TYPES)[number];

/** A fact about one interaction: an event of the `interaction` stream. */
export type InteractionEvent = DomainEvent<InteractionEventType>;
