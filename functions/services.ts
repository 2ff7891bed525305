import type { Kysely } from 'kysely';
import type { DomainEvent } from '../domain/shared/domain-event.js';
import { uuidv7 } from 'uuidv7';
import { createCompanyService } from './companies/company-service.js';
import { createAnalyticsService } from './analytics/analytics-service.js';
import type { RunLauncher } from './analytics/run-launcher.js';
import { createCustomerRepository } from './customers/customer-repository.js';
import { createCustomerService } from './customers/customer-service.js';
import { createPipelineService } from './pipelines/pipeline-service.js';
import { createDealService } from './deals/deal-service.js';
import { createDealReports } from './deal-reports/deal-reports.js';
import { createInteractionRepository } from './interactions/interaction-repository.js';
import { createInteractionService } from './interactions/interaction-service.js';
import { createTimelineService } from './timeline/timeline-service.js';
import { createDuplicateFinder } from './duplicates/duplicate-finder.js';
import type { Database } from './db/database.js';
import { claimingEventsOnWrite, type ClaimingHook } from './events/write-claims.js';
import { createIdempotencyStore } from './idempotency/idempotency-store.js';
import { createPurchaseRepository } from './purchases/purchase-repository.js';
import { createSalesRepDirectory } from './sales-reps/sales-rep-directory.js';
import type { Services } from './routes.js';

export interface ServiceOptions {
  readonly clock?: () => Date;
  /** Fresh ids (UUID v7 by default); tests pass a deterministic source. */
  readonly newId?: () => string;
  /** Delivers committed events right away (EventBridge on AWS, in-process locally); the relay catches up otherwise. */
  readonly afterCommit?: ((events: readonly DomainEvent[]) => Promise<void>) | ClaimingHook;
  /** Where analytics runs are worked on (the analytics Lambda on AWS); in this process when absent. */
  readonly analyticsLauncher?: RunLauncher;
  /** Told of a failed in-process analytics run (the failure is already recorded on the run). */
  readonly onAnalyticsRunError?: (runId: string, error: unknown) => void;
}

/** Wires the application over a database: the same wiring on Lambda, the local server and in tests. */
export function createServices(database: Kysely<Database>, options: ServiceOptions = {}): Services {
  const now = options.clock ?? (() => new Date());
  // Immediate delivery asks every write to claim its events in the write statement (one call
  // fewer); the handle that does so is the same database, so every repository below uses it.
  const leaseMs = (options.afterCommit as ClaimingHook | undefined)?.claimLeaseMs;
  const db = leaseMs === undefined ? database : claimingEventsOnWrite(database, leaseMs);
  const newId = options.newId ?? uuidv7;
  const pipelines = createPipelineService({ db, now, newId, afterCommit: options.afterCommit });
  const customers = createCustomerRepository(db);
  return {
    db,
    customers: createCustomerService({
      customers,
      now,
      newId,
      afterCommit: options.afterCommit,
    }),
    companies: createCompanyService({ db, now, newId, afterCommit: options.afterCommit }),
    pipelines,
    deals: createDealService({ db, pipelines, now, newId, afterCommit: options.afterCommit }),
    dealReports: createDealReports(db, now),
    interactions: createInteractionService({
      interactions: createInteractionRepository(db),
      customers,
      now,
      newId,
      afterCommit: options.afterCommit,
    }),
    timelines: createTimelineService(db),
    duplicates: createDuplicateFinder(db),
    idempotency: createIdempotencyStore(db),
    salesReps: createSalesRepDirectory(db),
    purchases: createPurchaseRepository(db),
    analytics: createAnalyticsService(db, {
      now,
      newId: options.newId ?? uuidv7,
      launcher: options.analyticsLauncher,
      onRunError: options.onAnalyticsRunError,
    }),
  };
}
