import { sql } from 'kysely';
import { customerRoutes, type CustomerRouteServices } from './customers/customers.routes.js';
import type { Database } from './db/database.js';
import { eventRoutes } from './events/events.routes.js';
import type { Kysely } from 'kysely';
import { failure, success } from './http/responses.js';
import { defineRoute, type Route } from './http/route.js';
import type { HandlerServices } from './http/route-group-handler.js';

export interface Services extends CustomerRouteServices, HandlerServices {
  readonly db: Kysely<Database>;
}

/** Liveness: answers without the database, so probes never wake (or keep awake) a paused Aurora. */
const healthRoute = defineRoute({
  method: 'GET',
  path: '/health',
  public: true,
  group: 'customers-read',
  operationId: 'health',
  summary: 'Liveness: the function answers; the database is not touched (no token needed)',
  handle: async () => success(200, { status: 'alive' }),
});

/** Readiness: one `select 1`, for operators and deploy checks; it resumes a paused database. */
const readyRoute = defineRoute({
  method: 'GET',
  path: '/ready',
  group: 'customers-read',
  operationId: 'ready',
  summary: 'Readiness: the database answers',
  permission: 'operations:readiness',
  handle: async ({ requestId }, services: Services) => {
    try {
      await sql`select 1`.execute(services.db);
      return success(200, { database: 'up' });
    } catch {
      return failure('SERVICE_UNAVAILABLE', 'The database is not answering.', requestId);
    }
  },
});

/** The single route table: the Lambdas, the local server, the local server and CDK all read it. */
export const routes: readonly Route<any, any, any, Services>[] = [healthRoute, ...customerRoutes, ...eventRoutes, readyRoute];
