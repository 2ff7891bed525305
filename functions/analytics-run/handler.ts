import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { uuidv7 } from 'uuidv7';
import { advanceRun } from '../analytics/analytics-runner.js';
import { createAnalyticsService, DEFAULT_RUN_SETTINGS, type AnalyticsService } from '../analytics/analytics-service.js';
import { isAnalyticsRunInvocation, lambdaRunLauncher } from '../analytics/run-launcher.js';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { createRelayWakeUp } from '../events/relay-wake-up.js';
import { observability, observed, traced } from '../observability.js';

const config = loadConfig();
const { logger } = observability();

/** Left for saving progress and invoking the next leg after the last partition. */
const SAFETY_MARGIN_MS = 30_000;

const lambda = traced(new LambdaClient({ maxAttempts: 3 }));
const wakeRelay = config.events.relayFunctionName
  ? createRelayWakeUp({ client: lambda, functionName: config.events.relayFunctionName, logger })
  : undefined;
// The next leg of a run is this same function (Lambda sets its name), invoked asynchronously.
const nextLeg = {
  launch: (runId: string) => {
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    if (!functionName) throw new Error('AWS_LAMBDA_FUNCTION_NAME is not set: the next leg of a run needs this function’s name');
    return lambdaRunLauncher(lambda, functionName).launch(runId);
  },
};

let opened: Promise<AnalyticsService> | undefined;
const openService = () =>
  (opened ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
    createAnalyticsService(handle.db, {
      now: () => new Date(),
      newId: uuidv7,
      launcher: nextLeg,
      runner: advanceRun,
      onEventsAppended: wakeRelay && (() => wakeRelay([])),
    }),
  ));

export interface AnalyticsInvocationResult {
  readonly runId: string | null;
  readonly outcome: 'finished' | 'continue' | 'gone' | 'skipped';
}

/**
 * The analytics function. The nightly schedule (an EventBridge scheduled event) queues a run and works on it; the API
 * (POST /analytics/runs) queues a run and invokes this function with its id. Each invocation works until its time is
 * nearly up, saves progress after every partition and, if customers remain, invokes itself again for the next leg.
 */
async function analytics(event: unknown, context: Context): Promise<AnalyticsInvocationResult> {
  const service = await openService();
  let runId: string;
  if (isAnalyticsRunInvocation(event)) runId = event.run_id;
  else {
    const started = await service.runs.create(
      { id: uuidv7(), requestedBy: 'schedule', triggeredBy: 'schedule', asOf: new Date().toISOString(), settings: DEFAULT_RUN_SETTINGS },
      new Date(),
    );
    if (!started.ok) {
      logger.warn('scheduled analytics run skipped: another run is queued or running', { detail: started.error.details ?? {} });
      return { runId: null, outcome: 'skipped' };
    }
    runId = started.value.id;
  }
  const budget = { remainingMs: () => context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS };
  const outcome = await service.advance(runId, budget);
  logger.info('analytics run advanced', { run_id: runId, outcome });
  if (outcome === 'continue') await nextLeg.launch(runId);
  return { runId, outcome };
}

export const handler = observed(analytics);
