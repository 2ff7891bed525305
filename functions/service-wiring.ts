import type { Kysely } from 'kysely';
import type { DomainEvent } from '../domain/shared/domain-event.js';
import { uuidv7 } from 'uuidv7';
import { createCompanyService } from './companies/company-service.js';
import { createAnalyticsService } from './analytics/analytics-service.js';
import type { RunLauncher } from './analytics/run-launcher.js';
import type { AnalyticsServiceOptions } from './analytics/analytics-service.js';
import type { ExportServiceOptions } from './exports/export-service.js';
import type { ImportServiceOptions } from './imports/import-service.js';
import { createExportService } from './exports/export-service.js';
import type { ExportStorage } from './exports/export-storage.js';
import { createImportService } from './imports/import-service.js';
import type { ImportUploads } from './imports/import-uploads.js';
import type { JobLauncher } from './jobs/job-launcher.js';
import { createCustomerRepository } from './customers/customer-repository.js';
import { createCustomerService } from './customers/customer-service.js';
import { createPipelineService } from './pipelines/pipeline-service.js';
import { createDealService } from './deals/deal-service.js';
import { createDealReports } from './deal-reports/deal-reports.js';
import { createInteractionRepository } from './interactions/interaction-repository.js';
import { createInteractionService } from './interactions/interaction-service.js';
import { createTimelineService } from './timeline/timeline-service.js';
import { createDuplicateFinder } from './duplicates/duplicate-finder.js';
import { createCompanyMerges } from './merge/company-merge.js';
import { createCompanyUnmerges } from './merge/company-unmerge.js';
import { createCustomerMerges } from './merge/customer-merge.js';
import { createCustomerUnmerges } from './merge/customer-unmerge.js';
import type { Database } from './db/database.js';
import { claimingEventsOnWrite, type ClaimingHook } from './events/write-claims.js';
import { createIdempotencyStore } from './idempotency/idempotency-store.js';
import { createPurchaseRepository } from './purchases/purchase-repository.js';
import { createSalesRepDirectory } from './sales-reps/sales-rep-directory.js';
import type { Services } from './routes.js';

/**
 * The work of each kind of long job, for a process that works jobs itself (see services.ts).
 * Passed in rather than imported here, so that the API functions, which only queue jobs, bundle
 * none of it (issue 17).
 */
export interface JobRunners {
  readonly exports: ExportServiceOptions['runner'];
  readonly imports: ImportServiceOptions['runner'];
  readonly analytics: AnalyticsServiceOptions['runner'];
}

export interface ServiceOptions {
  /** How jobs are worked in this process; without them a job goes only to its launcher. */
  readonly runners?: JobRunners;
  readonly clock?: () => Date;
  /** Fresh ids (UUID v7 by default); tests pass a deterministic source. */
  readonly newId?: () => string;
  /** Delivers committed events right away (EventBridge on AWS, in-process locally); the relay catches up otherwise. */
  readonly afterCommit?: ((events: readonly DomainEvent[]) => Promise<void>) | ClaimingHook;
  /** Where analytics runs are worked on (the analytics Lambda on AWS); in this process when absent and `runners` are given. */
  readonly analyticsLauncher?: RunLauncher;
  /** Told of a failed in-process analytics run (the failure is already recorded on the run). */
  readonly onAnalyticsRunError?: (runId: string, error: unknown) => void;
  /** Where export files go (S3 on AWS, DATA_DIR/exports locally); a temp folder when absent. */
  readonly exportStorage?: ExportStorage;
  /** Where exports are worked on (the export Lambda on AWS); in this process when absent and `runners` are given. */
  readonly exportLauncher?: JobLauncher;
  readonly onExportError?: (exportId: string, error: unknown) => void;
  /** Records per page of an export's walk (tests make it small). */
  readonly exportPageSize?: number;
  /** Where import files are uploaded (S3 on AWS, DATA_DIR/imports locally); a temp folder when absent. */
  readonly importUploads?: ImportUploads;
  /** Where uploaded imports are worked on locally; in this process when absent and `runners` are given (on AWS the upload starts the import function). */
  readonly importLauncher?: JobLauncher;
  readonly onImportError?: (importId: string, error: unknown) => void;
  /** Told after each committed chunk of an import (logs, tests). */
  readonly onImportChunk?: (importId: string, processed: number, total: number) => void | Promise<void>;
  /** Rows per chunk of an import (tests make it small). */
  readonly importChunkSize?: number;
}

/**
 * Wires the application over a database: the same wiring on Lambda, the local server and in tests.
 * The API functions call it without job runners; everything else calls createServices (services.ts).
 */
export function wireServices(database: Kysely<Database>, options: ServiceOptions = {}): Services {
  const now = options.clock ?? (() => new Date());
  // Immediate delivery asks every write to claim its events in the write statement (one call
  // fewer); the handle that does so is the same database, so every repository below uses it.
  const leaseMs = (options.afterCommit as ClaimingHook | undefined)?.claimLeaseMs;
  const db = leaseMs === undefined ? database : claimingEventsOnWrite(database, leaseMs);
  const newId = options.newId ?? uuidv7;
  const pipelines = createPipelineService({ db, now, newId, afterCommit: options.afterCommit });
  const customers = createCustomerRepository(db);
  const services: Services = {
    db,
    inBatch: (transactional, work) => inBatch(database, options, transactional, work),
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
    privacy: { now, newId, afterCommit: options.afterCommit },
    duplicates: createDuplicateFinder(db),
    merges: {
      customers: {
        ...createCustomerMerges({ db, now, newId, afterCommit: options.afterCommit }),
        ...createCustomerUnmerges({ db, now, newId, afterCommit: options.afterCommit }),
      },
      companies: {
        ...createCompanyMerges({ db, now, newId, afterCommit: options.afterCommit }),
        ...createCompanyUnmerges({ db, now, newId, afterCommit: options.afterCommit }),
      },
    },
    idempotency: createIdempotencyStore(db),
    salesReps: createSalesRepDirectory(db),
    purchases: createPurchaseRepository(db),
    analytics: createAnalyticsService(db, {
      now,
      newId: options.newId ?? uuidv7,
      launcher: options.analyticsLauncher,
      runner: options.runners?.analytics,
      onRunError: options.onAnalyticsRunError,
    }),
    exports: createExportService(db, {
      now,
      newId,
      storage: options.exportStorage,
      launcher: options.exportLauncher,
      runner: options.runners?.exports,
      onError: options.onExportError,
      pageSize: options.exportPageSize,
      representWith: () => services,
    }),
    imports: createImportService(db, {
      now,
      newId,
      services: () => services,
      uploads: options.importUploads,
      reports: options.exportStorage,
      launcher: options.importLauncher,
      runner: options.runners?.imports,
      onError: options.onImportError,
      onChunk: options.onImportChunk,
      chunkSize: options.importChunkSize,
    }),
  };
  return services;
}

/**
 * Runs the inputs of a batch (`work`) on services whose events are delivered together once the
 * batch is done: one acknowledgement for the batch instead of one per input. With `transactional`
 * the services run over one transaction (all_or_none): it commits when `work` returns and rolls
 * back when it throws, and nothing is announced before it has committed.
 */
async function inBatch<T>(
  database: Kysely<Database>,
  options: ServiceOptions,
  transactional: boolean,
  work: (services: Services) => Promise<T>,
): Promise<T> {
  const committed: DomainEvent[] = [];
  const deliver = options.afterCommit;
  const leaseMs = (deliver as ClaimingHook | undefined)?.claimLeaseMs;
  const collect: ClaimingHook = Object.assign(
    async (events: readonly DomainEvent[]) => {
      committed.push(...events);
    },
    leaseMs === undefined ? {} : { claimLeaseMs: leaseMs },
  );
  const over = (db: Kysely<Database>) => work(wireServices(db, { ...options, afterCommit: collect }));
  const announce = async () => {
    if (committed.length > 0) await deliver?.(committed);
  };
  if (transactional) {
    // A rolled-back transaction (work threw) announces nothing: the throw skips the delivery.
    const result = await database.transaction().execute(over);
    await announce();
    return result;
  }
  try {
    return await over(database);
  } finally {
    // Without a transaction, the inputs that ran before a failure are committed: their events go out too.
    await announce();
  }
}
