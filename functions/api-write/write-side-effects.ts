import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaRunLauncher } from '../analytics/run-launcher.js';
import { EVENT_CATALOGUE } from '../event-catalogue.js';
import { immediateDeliveryFor } from '../events/delivery-runtime.js';
import { lambdaExportLauncher } from '../exports/export-invocation.js';
import type { SideEffects } from '../lambda-runtime.js';
import { traced } from '../observability.js';

/** The write function's reach beyond the database: events to EventBridge (and the relay), jobs to their functions. */
export const writeSideEffects: SideEffects = (config, db, logger) => {
  let lambda: LambdaClient | undefined;
  const lambdaClient = () => (lambda ??= traced(new LambdaClient({ maxAttempts: 3 })));
  return {
    afterCommit: immediateDeliveryFor(config, db, logger, EVENT_CATALOGUE),
    // POST /analytics/runs hands the run to the analytics function (asynchronous invoke); never in a request's process.
    analyticsLauncher: config.analyticsFunctionName ? lambdaRunLauncher(lambdaClient(), config.analyticsFunctionName) : undefined,
    // POST /exports hands the export to the export function.
    exportLauncher: config.exportFunctionName ? lambdaExportLauncher(lambdaClient(), config.exportFunctionName) : undefined,
  };
};
