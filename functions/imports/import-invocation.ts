import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaJobLauncher, type JobLauncher } from '../jobs/job-launcher.js';
import { importIdOfKey } from './import-uploads.js';

/** The payload the import function invokes itself with to go on with an import it paused. */
export const IMPORT_SOURCE = 'customer-mgmt.import';
export interface ImportInvocation {
  readonly source: typeof IMPORT_SOURCE;
  readonly import_id: string;
}

/**
 * The imports an invocation of the import function is about: an S3 ObjectCreated notification of
 * the import bucket (its keys, URL-encoded, `imports/<id>.csv`), or its own continuation.
 */
export function importIdsOf(event: unknown): string[] {
  if (typeof event !== 'object' || event === null) return [];
  const { source, import_id: id, Records: records } = event as { source?: unknown; import_id?: unknown; Records?: unknown };
  if (source === IMPORT_SOURCE && typeof id === 'string') return [id];
  if (!Array.isArray(records)) return [];
  return records.flatMap((record: { s3?: { object?: { key?: unknown } } }) => {
    const key = record?.s3?.object?.key;
    if (typeof key !== 'string') return [];
    const id = importIdOfKey(decodeURIComponent(key.replace(/\+/g, ' ')));
    return id ? [id] : [];
  });
}

/** On AWS: the import function hands a paused import to a fresh invocation of itself. */
export function lambdaImportLauncher(client: LambdaClient, functionName: string): JobLauncher {
  return lambdaJobLauncher(client, functionName, (importId): ImportInvocation => ({ source: IMPORT_SOURCE, import_id: importId }));
}
