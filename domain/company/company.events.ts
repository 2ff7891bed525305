import type { DomainEvent } from '../shared/domain-event.js';

export const COMPANY_EVENT_TYPES = ['CompanyCreated', 'CompanyUpdated', 'CompanyAssigned', 'CompanyTagsChanged', 'CompanyDeleted'] as const;
export type CompanyEventType = (typeof COMPANY_EVENT_TYPES)[number];

/** A fact about one company: an event of the `company` stream. */
export type CompanyEvent = DomainEvent<CompanyEventType>;
