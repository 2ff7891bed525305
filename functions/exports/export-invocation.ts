import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaJobLauncher, type JobLauncher } from '../jobs/job-launcher.js';

/** The payload the export function is invoked with (POST /exports sends it, asynchronously). */
export const EXPORT_SOURCE = 'customer-mgmt.export';
export interface ExportInvocation {
  readonly source: typeof EXPORT_SOURCE;
  readonly export_id: string;
}

export function isExportInvocation(event: unknown): event is ExportInvocation {
  return (
    typeof event === 'object' &&
    event !== null &&
    (event as { source?: unknown }).source === EXPORT_SOURCE &&
    typeof (event as { export_id?: unknown }).export_id === 'string'
  );
}

/** On AWS: POST /exports hands the export to the export function. */
export function lambdaExportLauncher(client: LambdaClient, functionName: string): JobLauncher {
  return lambdaJobLauncher(client, functionName, (exportId): ExportInvocation => ({ source: EXPORT_SOURCE, export_id: exportId }));
}
