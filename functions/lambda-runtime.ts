import { ERROR_STATUS } from './error-status.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { EVENT_CATALOGUE } from './event-catalogue.js';
import { loadConfig } from './config.js';
import { openDataApiDatabase } from './db/data-api-database.js';
import { immediateDeliveryFor } from './events/delivery-runtime.js';
import { createRouteGroupHandler } from './http/route-group-handler.js';
import { ROUTE_GROUP_TABLE, type RouteGroup } from './http/route.js';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaRunLauncher } from './analytics/run-launcher.js';
import { S3Client } from '@aws-sdk/client-s3';
import { lambdaExportLauncher } from './exports/export-invocation.js';
import { s3ImportUploads } from './imports/s3-import-uploads.js';
import { s3ExportStorage } from './exports/s3-export-storage.js';
import { observability, observed, traced } from './observability.js';
import { routes, type Services } from './routes.js';
import { createServices } from './services.js';

/**
 * The handler a route group's Lambda exports. Configuration is parsed at cold start (a bad
 * environment fails the init, naming the variable); the database client is opened once per
 * container, on first use. Powertools logs every line with the API request id as correlation id.
 */
export function lambdaHandlerFor(group: RouteGroup) {
  const config = loadConfig();
  const { logger } = observability();
  let services: Promise<Services> | undefined;
  let lambda: LambdaClient | undefined;
  const lambdaClient = () => (lambda ??= traced(new LambdaClient({ maxAttempts: 3 })));
  const getServices = () =>
    (services ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
      createServices(handle.db, {
        afterCommit: ROUTE_GROUP_TABLE[group].publishesEvents
          ? immediateDeliveryFor(config, handle.db, logger, EVENT_CATALOGUE)
          : undefined,
        // POST /analytics/runs hands the run to the analytics function (asynchronous invoke); never in a request's process.
        analyticsLauncher: config.analyticsFunctionName ? lambdaRunLauncher(lambdaClient(), config.analyticsFunctionName) : undefined,
        // POST /exports hands the export to the export function; GET /exports/{id} presigns the bucket's GET.
        exportLauncher: config.exportFunctionName ? lambdaExportLauncher(lambdaClient(), config.exportFunctionName) : undefined,
        exportStorage: config.exportBucket ? s3ExportStorage(traced(new S3Client({ maxAttempts: 3 })), config.exportBucket) : undefined,
        // POST /imports and GET /imports/{id} presign the PUT of the file; its upload starts the import function.
        importUploads: config.importBucket ? s3ImportUploads(traced(new S3Client({ maxAttempts: 3 })), config.importBucket) : undefined,
      }),
    ));
  const handler = createRouteGroupHandler(
    routes.filter((route) => route.group === group),
    getServices,
    logger,
    ERROR_STATUS,
  );
  return observed(handler, { correlationId: (event: APIGatewayProxyEventV2) => event.requestContext?.requestId });
}
