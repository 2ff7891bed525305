import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config.js';
import { openDataApiDatabase } from '../db/data-api-database.js';
import { immediateDeliveryFor } from '../events/delivery-runtime.js';
import { EVENT_CATALOGUE } from '../event-catalogue.js';
import { s3ExportStorage } from '../exports/s3-export-storage.js';
import { importIdsOf, lambdaImportLauncher } from '../imports/import-invocation.js';
import type { ImportOutcome } from '../imports/import-runner.js';
import { s3ImportUploads } from '../imports/s3-import-uploads.js';
import { observability, observed, traced } from '../observability.js';
import type { Services } from '../routes.js';
import { createServices } from '../services.js';

const config = loadConfig();
const { logger } = observability();
const s3 = traced(new S3Client({ maxAttempts: 3 }));
const lambda = traced(new LambdaClient({ maxAttempts: 3 }));
/** Stop at a chunk boundary with this much time left, and go on in a fresh invocation. */
const PAUSE_BEFORE_TIMEOUT_MS = 60_000;

let opened: Promise<Services> | undefined;
const openServices = () =>
  (opened ??= Promise.resolve(openDataApiDatabase(config)).then((handle) => {
    if (!config.importBucket || !config.exportBucket)
      throw new Error(
        'IMPORT_BUCKET and EXPORT_BUCKET must be set: the import reads its file from one and writes its error report to the other',
      );
    return createServices(handle.db, {
      afterCommit: immediateDeliveryFor(config, handle.db, logger, EVENT_CATALOGUE),
      importUploads: s3ImportUploads(s3, config.importBucket),
      exportStorage: s3ExportStorage(s3, config.exportBucket),
    });
  }));

/**
 * The import function: the upload of a file to the import bucket invokes it (ObjectCreated); it
 * marks the file received and works the import chunk by chunk. With a minute left it stops at a
 * chunk boundary and invokes itself to go on; a crash or a timeout is retried by Lambda (two
 * asynchronous retries), and each run resumes after the last recorded chunk.
 */
async function importRun(event: unknown, context: Context): Promise<{ imports: { id: string; outcome: ImportOutcome }[] }> {
  const ids = importIdsOf(event);
  if (ids.length === 0) logger.warn('import function invoked without an import', {});
  const services = await openServices();
  const results: { id: string; outcome: ImportOutcome }[] = [];
  for (const id of ids) {
    await services.imports.store.uploaded(id, new Date());
    const outcome = await services.imports.run(id, () => context.getRemainingTimeInMillis() < PAUSE_BEFORE_TIMEOUT_MS);
    if (outcome === 'paused') {
      const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
      if (!functionName)
        throw new Error('AWS_LAMBDA_FUNCTION_NAME is not set: a paused import goes on in a new invocation of this function');
      await lambdaImportLauncher(lambda, functionName).launch(id);
    }
    logger.info('import run ended', { import_id: id, outcome });
    results.push({ id, outcome });
  }
  return { imports: results };
}

export const handler = observed(importRun);
