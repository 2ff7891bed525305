import type { Kysely, Migration } from 'kysely';
import * as createCustomers from './2026-11-26T00-00-00_create-customers.js';
import * as createIdempotencyKeys from './2026-11-26T01-00-00_create-idempotency-keys.js';
import * as outboxDelivery from './2026-11-26T02-00-00_outbox-delivery.js';
import * as integration from './2026-11-26T03-00-00_integration.js';
import * as summaryRevision from './2026-11-28T00-00-00_summary-revision.js';
import * as eventStreams from './2026-11-28T01-00-00_event-streams.js';
import * as databaseRoles from './2026-11-28T05-00-00_database-roles.js';
import * as companies from './2026-11-28T06-00-00_companies.js';
import * as customerCompanyLink from './2026-11-28T06-10-00_customer-company-link.js';
import * as customerTagIndex from './2026-11-28T09-00-00_customer-tag-index.js';
import * as pipelinesAndDeals from './2026-11-28T10-00-00_pipelines-and-deals.js';
import * as interactions from './2026-11-28T08-00-00_interactions.js';
import * as analytics from './2026-11-28T07-00-00_analytics.js';
import * as interactionLinks from './2026-11-28T11-00-00_interaction-links.js';
import * as companyOpenDeals from './2026-11-28T12-00-00_company-open-deals.js';
import * as dealReportIndexes from './2026-11-28T13-00-00_deal-report-indexes.js';
import * as searchIndexes from './2026-11-28T14-00-00_search-indexes.js';
import * as exportsTable from './2026-11-28T16-00-00_exports.js';
import * as duplicateIndexes from './2026-11-28T17-00-00_duplicate-indexes.js';
import * as erasure from './2026-11-28T18-00-00_erasure.js';
import * as customerNameExact from './2026-11-28T19-00-00_customer-name-exact.js';
import * as customerExternalId from './2026-11-28T22-00-00_customer-external-id.js';
import * as imports from './2026-11-28T20-00-00_imports.js';
import * as merges from './2026-11-28T21-00-00_merges.js';
import * as perf from './2026-11-28T23-00-00_perf.js';
import * as importsInteractions from './2026-11-28T23-45-00_imports-interactions.js';
import * as customerEmailsFollowDeletes from './2026-11-28T23-50-00_customer-emails-follow-deletes.js';
import * as mergeGaps from './2026-11-29T02-00-00_merge-gaps.js';
import * as eventsPendingStream from './2026-11-29T03-00-00_events-pending-stream.js';

/**
 * The migrator runs outside transactions (functions/db/migrate.ts) so that an online migration
 * can commit batch by batch and build indexes CONCURRENTLY; a migration made only of DDL on new
 * tables is wrapped here so that it applies whole or not at all.
 */
function transactional(migration: Migration): Migration {
  return { up: (db: Kysely<any>) => db.transaction().execute((trx) => migration.up(trx)) };
}

/**
 * Every migration, by name. Listed statically (not read from the folder) so that the
 * migration Lambda bundle carries them; names sort in the order they must run.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-26T00-00-00_create-customers': transactional(createCustomers),
  '2026-11-26T01-00-00_create-idempotency-keys': transactional(createIdempotencyKeys),
  '2026-11-26T02-00-00_outbox-delivery': transactional(outboxDelivery),
  '2026-11-26T03-00-00_integration': transactional(integration),
  '2026-11-28T00-00-00_summary-revision': transactional(summaryRevision),
  '2026-11-28T01-00-00_event-streams': eventStreams,
  '2026-11-28T05-00-00_database-roles': transactional(databaseRoles),
  '2026-11-28T06-00-00_companies': transactional(companies),
  '2026-11-28T06-10-00_customer-company-link': transactional(customerCompanyLink),
  '2026-11-28T07-00-00_analytics': transactional(analytics),
  '2026-11-28T08-00-00_interactions': interactions,
  '2026-11-28T09-00-00_customer-tag-index': customerTagIndex,
  '2026-11-28T10-00-00_pipelines-and-deals': transactional(pipelinesAndDeals),
  '2026-11-28T11-00-00_interaction-links': transactional(interactionLinks),
  '2026-11-28T12-00-00_company-open-deals': transactional(companyOpenDeals),
  '2026-11-28T13-00-00_deal-report-indexes': dealReportIndexes,
  '2026-11-28T14-00-00_search-indexes': searchIndexes,
  '2026-11-28T16-00-00_exports': transactional(exportsTable),
  '2026-11-28T17-00-00_duplicate-indexes': duplicateIndexes,
  '2026-11-28T18-00-00_erasure': transactional(erasure),
  '2026-11-28T19-00-00_customer-name-exact': customerNameExact,
  '2026-11-28T20-00-00_imports': transactional(imports),
  '2026-11-28T21-00-00_merges': merges,
  '2026-11-28T22-00-00_customer-external-id': customerExternalId,
  '2026-11-28T23-00-00_perf': perf,
  '2026-11-28T23-45-00_imports-interactions': transactional(importsInteractions),
  '2026-11-28T23-50-00_customer-emails-follow-deletes': transactional(customerEmailsFollowDeletes),
  '2026-11-29T02-00-00_merge-gaps': mergeGaps,
  '2026-11-29T03-00-00_events-pending-stream': eventsPendingStream,
};
