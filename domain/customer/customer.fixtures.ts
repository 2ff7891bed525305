/**
 * Test data for the Customer aggregate's specs. Pure domain code (no test-runner imports), so the
 * dependency rules for domain/ hold.
 */
import { NO_PURCHASES } from '../purchase/purchase.js';
import type { Email } from '../shared/email.js';
import type { Phone } from '../shared/phone.js';
import type { Source } from '../shared/source.js';
import type { Tag } from '../shared/tags.js';
import type { Customer, CustomerStatus, Timestamp } from './customer.js';
import type { ChangeContext } from './customer.events.js';

export const CUSTOMER_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
export const USER_ID = '01890a5d-ac96-774b-bcce-b302099a8058';
export const COMPANY_ID = '01890a5d-ac96-774b-bcce-b302099a8059';
export const SALES_REP_ID = '01890a5d-ac96-774b-bcce-b302099a8060';

export const CREATED_AT: Timestamp = '2026-01-05T09:00:00.000Z';
export const LAST_UPDATED_AT: Timestamp = '2026-02-10T12:30:00.000Z';
export const EARLIER_CHURNED_AT: Timestamp = '2026-02-01T08:15:00.000Z';
export const NOW: Timestamp = '2026-03-01T10:00:00.000Z';

/** The context the shell supplies for a change made at NOW. */
export function changeContext(overrides: Partial<ChangeContext> = {}): ChangeContext {
  return { eventId: '01890a5d-ac96-774b-bcce-b302099a9001', now: NOW, actor: 'user:alice', ...overrides };
}

/**
 * A valid, stored customer at version 3 (B2C, not linked to a user); override what the spec is about.
 * A churned customer gets a churnedAt by default, as the database requires.
 */
export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  const status = overrides.status ?? 'lead';
  return {
    id: CUSTOMER_ID,
    userId: null,
    companyId: null,
    externalId: null,
    name: 'Ada Lovelace',
    email: 'ada@example.com' as Email,
    phone: '+442079460958' as Phone,
    status,
    tier: 'basic',
    source: 'website' as Source,
    assignedTo: null,
    tags: ['vip', 'newsletter'] as Tag[],
    version: 3,
    createdAt: CREATED_AT,
    updatedAt: LAST_UPDATED_AT,
    churnedAt: status === 'churned' ? EARLIER_CHURNED_AT : null,
    deletedAt: null,
    purchases: NO_PURCHASES,
    lastInteractionAt: null,
    erasedAt: null,
    ...overrides,
  };
}

/** A customer in the given lifecycle status. */
export function aCustomerIn(status: CustomerStatus, overrides: Partial<Customer> = {}): Customer {
  return aCustomer({ ...overrides, status });
}

/** Tags as the aggregate holds them (already normalised). */
export function tags(...labels: string[]): Tag[] {
  return labels as Tag[];
}
