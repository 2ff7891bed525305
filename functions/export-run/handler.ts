import { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { isExportInvocation } from '../exports/export-invocation.js';
import type { ExportOutcome } from '../exports/export-runner.js';
import { s3ExportStorage } from '../exports/s3-export-storage.js';
import { observability, observed, traced } from '../observability.js';
import type { Services } from '../routes.js';
import { createServices } from '../services.js';

const config = loadConfig();
const { logger } = observability();
const s3 = traced(new S3Client({ maxAttempts: 3 }));

let opened: Promise<Services> | undefined;
const openServices = () =>
  (opened ??= Promise.resolve(openDataApiDatabase(config)).then((handle) => {
    if (!config.exportBucket) throw new Error('EXPORT_BUCKET is not set: the export function writes its files there');
    // The walk runs here, so nothing is launched from this function.
    return createServices(handle.db, {
      exportStorage: s3ExportStorage(s3, config.exportBucket),
      exportLauncher: { launch: async () => undefined },
    });
  }));

/**
 * The export function: POST /exports invokes it asynchronously with the export's id; it walks the
 * search page by page into the bucket within one invocation (15 minutes at most). A duplicate
 * invocation finds the export no longer queued and does nothing; a failure is recorded on the export.
 */
async function exportRun(event: unknown): Promise<{ exportId: string | null; outcome: ExportOutcome | 'ignored' }> {
  if (!isExportInvocation(event)) {
    logger.warn('export function invoked without an export id', {});
    return { exportId: null, outcome: 'ignored' };
  }
  const services = await openServices();
  const outcome = await services.exports.run(event.export_id);
  logger.info('export finished', { export_id: event.export_id, outcome });
  return { exportId: event.export_id, outcome };
}

export const handler = observed(exportRun);
