import { ERROR_STATUS } from './error-status.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Kysely } from 'kysely';
import { loadConfig, type Config } from './config.js';
import { openDataApiDatabase } from './db/data-api-database.js';
import type { Database } from './db/database.js';
import { createRouteGroupHandler } from './http/route-group-handler.js';
import { ROUTE_GROUP_TABLE, type RouteGroup } from './http/route.js';
import { s3ExportLinks } from './exports/s3-export-links.js';
import { s3ImportLinks } from './imports/s3-import-links.js';
import type { Logger } from './logger.js';
import { lambdaSigningIdentity, s3UrlPresigner } from './s3/presigned-url.js';
import { observability, observed } from './observability.js';
import { routes, type Services } from './routes.js';
import { wireServices, type ServiceOptions } from './service-wiring.js';

/**
 * What a route group's function adds to its services to reach beyond the database: how commits are
 * announced (EventBridge, the relay) and where long jobs are handed (the analytics and export
 * functions). Only the write function has any, and it passes them from its entry file, so the
 * EventBridge and Lambda clients are not in the read function's bundle (issue 17).
 */
export type SideEffects = (
  config: Config,
  db: Kysely<Database>,
  logger: Logger,
) => Pick<ServiceOptions, 'afterCommit' | 'analyticsLauncher' | 'exportLauncher'>;

/**
 * The handler a route group's Lambda exports. Configuration is parsed at cold start (a bad
 * environment fails the init, naming the variable); the database client is opened once per
 * container, on first use. Powertools logs every line with the API request id as correlation id.
 */
export function lambdaHandlerFor(group: RouteGroup, sideEffects?: SideEffects) {
  if (ROUTE_GROUP_TABLE[group].publishesEvents && !sideEffects) throw new Error(`${group} publishes events: give it its side effects`);
  const config = loadConfig();
  const { logger } = observability();
  let services: Promise<Services> | undefined;
  // The API only queues jobs (the job functions work them): its services are wired without the job runners.
  // The API only presigns links to the buckets (the export and import functions move the bytes): no S3 client here.
  const presign = s3UrlPresigner(lambdaSigningIdentity());
  const getServices = () =>
    (services ??= Promise.resolve(openDataApiDatabase(config)).then((handle) =>
      wireServices(handle.db, {
        ...sideEffects?.(config, handle.db, logger),
        // GET /exports/{id} presigns the bucket's GET.
        exportStorage: config.exportBucket ? s3ExportLinks(config.exportBucket, presign) : undefined,
        // POST /imports and GET /imports/{id} presign the PUT of the file; its upload starts the import function.
        importUploads: config.importBucket ? s3ImportLinks(config.importBucket, presign) : undefined,
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
