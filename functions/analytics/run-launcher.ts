import type { LambdaClient } from '@aws-sdk/client-lambda';
import { inProcessJobLauncher, lambdaJobLauncher, type JobLauncher } from '../jobs/job-launcher.js';

/** Starts the work of a queued run somewhere else than the request that queued it (the shared job kit). */
export type RunLauncher = JobLauncher;

/** The payload the analytics function is invoked with to start or continue a run (a schedule sends its own event). */
export const ANALYTICS_RUN_SOURCE = 'customer-mgmt.analytics-run';
export interface AnalyticsRunInvocation {
  readonly source: typeof ANALYTICS_RUN_SOURCE;
  readonly run_id: string;
}

export function isAnalyticsRunInvocation(event: unknown): event is AnalyticsRunInvocation {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === ANALYTICS_RUN_SOURCE &&
    typeof (event as { run_id?: unknown }).run_id === 'string'
  );
}

/** On AWS: an asynchronous invocation of the analytics function (Lambda queues it and answers at once). */
export function lambdaRunLauncher(client: LambdaClient, functionName: string): RunLauncher {
  return lambdaJobLauncher(client, functionName, (runId): AnalyticsRunInvocation => ({ source: ANALYTICS_RUN_SOURCE, run_id: runId }));
}

/** Locally and in tests: the run goes on in this process (see inProcessJobLauncher). */
export const inProcessRunLauncher = inProcessJobLauncher;
