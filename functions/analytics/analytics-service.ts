import type { Kysely } from 'kysely';
import { DEFAULT_CHURN_RISK_OPTIONS } from '../../domain/analytics/churn-risk.js';
import { DEFAULT_CLV_OPTIONS } from '../../domain/analytics/clv.js';
import { DEFAULT_HORIZON_WEEKS } from '../../domain/analytics/score-customers.js';
import { validationFailed, type DomainError } from '../../domain/errors.js';
import { err, type Result } from '../../domain/shared/result.js';
import type { Database } from '../db/database.js';
import { createAnalyticsModelStore } from './analytics-model-store.js';
import { createAnalyticsRunStore, type AnalyticsRun, type RunSettings, type RunTrigger } from './analytics-run-store.js';
import type { AdvanceOutcome, RunnerDeps, TimeBudget } from './analytics-runner.js';
import { createCustomerInsightStore } from './customer-insight-store.js';
import { createPurchaseHistoryReader } from './purchase-history-reader.js';
import { createReports } from './reports.js';
import { unlaunchableJobs } from '../jobs/job-launcher.js';
import { inProcessRunLauncher, type RunLauncher } from './run-launcher.js';

/** The defaults of a run; each can be changed per run (POST /analytics/runs). */
export const DEFAULT_RUN_SETTINGS: RunSettings = {
  horizonWeeks: DEFAULT_HORIZON_WEEKS,
  clv: DEFAULT_CLV_OPTIONS,
  churn: DEFAULT_CHURN_RISK_OPTIONS,
  maxFitCustomers: 200_000,
  partitionCustomers: 5_000,
};

export interface RunRequest {
  readonly requestedBy: string;
  readonly triggeredBy: RunTrigger;
  /** Default: now. */
  readonly asOf?: string | undefined;
  readonly settings?: Partial<RunSettings> | undefined;
}

export interface AnalyticsServiceOptions {
  readonly now: () => Date;
  readonly newId: () => string;
  /** Where a queued run is worked on: the analytics Lambda on AWS; in this process when absent and a `runner` is given. */
  readonly launcher?: RunLauncher | undefined;
  /**
   * The fitting (`advanceRun`), for a process that works runs itself: the analytics function, the
   * local server, tests. Injected, so that the API functions, which only queue runs, do not carry
   * the models in their bundles (issue 17).
   */
  readonly runner?: ((deps: RunnerDeps, runId: string, budget?: TimeBudget) => Promise<AdvanceOutcome>) | undefined;
  /** Told of an in-process run's failure (already recorded on the run). */
  readonly onRunError?: (runId: string, error: unknown) => void;
  /** Called after a partition appended events to the outbox (on AWS: wake the relay). */
  readonly onEventsAppended?: () => Promise<void>;
}

/** Analytics: runs (start, advance), fitted models, stored insights and the reports. */
export function createAnalyticsService(db: Kysely<Database>, options: AnalyticsServiceOptions) {
  const runs = createAnalyticsRunStore(db);
  const models = createAnalyticsModelStore(db);
  const insights = createCustomerInsightStore(db);
  const deps = {
    runs,
    models,
    insights,
    history: createPurchaseHistoryReader(db),
    now: options.now,
    newId: options.newId,
    onEventsAppended: options.onEventsAppended,
  };
  const runner = options.runner;
  /** One leg of a run (no time limit without a budget). */
  const advance = (runId: string, budget?: TimeBudget): Promise<AdvanceOutcome> =>
    runner ? runner(deps, runId, budget) : Promise.reject(new Error('analytics runs are not worked on in this function'));
  /** Works a run to its end in this process (no time limit). */
  const runToEnd = async (runId: string) => {
    while ((await advance(runId)) === 'continue');
  };
  const local = options.launcher || !runner ? undefined : inProcessRunLauncher(runToEnd, options.onRunError ?? (() => undefined));
  const launcher = options.launcher ?? local ?? unlaunchableJobs('analytics runs');

  return {
    now: options.now,
    runs,
    models,
    insights,
    reports: createReports(db),
    advance,
    runToEnd,
    /** Queues a run and hands it to the launcher; one run at a time (ANALYTICS.RUN_IN_PROGRESS otherwise). */
    async startRun(request: RunRequest): Promise<Result<AnalyticsRun, DomainError>> {
      const now = options.now();
      if (request.asOf !== undefined && Date.parse(request.asOf) > now.getTime()) {
        return err(validationFailed([{ field: 'as_of', message: `must not be in the future (now is ${now.toISOString()})` }]));
      }
      const created = await runs.create(
        {
          id: options.newId(),
          requestedBy: request.requestedBy,
          triggeredBy: request.triggeredBy,
          asOf: request.asOf ?? now.toISOString(),
          settings: { ...DEFAULT_RUN_SETTINGS, ...request.settings },
        },
        now,
      );
      if (!created.ok) return created;
      try {
        await launcher.launch(created.value.id);
      } catch (error) {
        await runs.fail(created.value.id, `could not start: ${String(error)}`, options.now());
        throw error;
      }
      return created;
    },
    /** Waits for every run this process works on (tests, shutdown); immediate when runs go to the analytics Lambda. */
    idle: () => local?.idle() ?? Promise.resolve(),
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
