import type { Migration } from 'kysely';
import * as createCustomers from './2026-11-26T00-00-00_create-customers.js';
import * as createIdempotencyKeys from './2026-11-26T01-00-00_create-idempotency-keys.js';
import * as outboxDelivery from './2026-11-26T02-00-00_outbox-delivery.js';
import * as integration from './2026-11-26T03-00-00_integration.js';
import * as summaryRevision from './2026-11-28T00-00-00_summary-revision.js';

/**
 * Every migration, by name. Listed statically (not read from the folder) so that the
 * migration Lambda bundle carries them; names sort in the order they must run.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-26T00-00-00_create-customers': createCustomers,
  '2026-11-26T01-00-00_create-idempotency-keys': createIdempotencyKeys,
  '2026-11-26T02-00-00_outbox-delivery': outboxDelivery,
  '2026-11-26T03-00-00_integration': integration,
  '2026-11-28T00-00-00_summary-revision': summaryRevision,
};
