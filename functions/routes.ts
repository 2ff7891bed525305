import { sql } from 'kysely';
import { resourcePermissions } from './auth/permissions.js';
import * as z from 'zod';
import { companyRoutes, type CompanyRouteServices } from './companies/companies.routes.js';
import { analyticsRoutes, type AnalyticsRouteServices } from './analytics/analytics.routes.js';
import { customerRoutes, type CustomerRouteServices } from './customers/customers.routes.js';
import { pipelineRoutes, type PipelineRouteServices } from './pipelines/pipelines.routes.js';
import { dealRoutes, type DealRouteServices } from './deals/deals.routes.js';
import { dealReportRoutes, type DealReportRouteServices } from './deal-reports/deal-reports.routes.js';
import { interactionRoutes, type InteractionRouteServices } from './interactions/interactions.routes.js';
import { timelineRoutes, type TimelineRouteServices } from './timeline/timeline.routes.js';
import { privacyRoutes, type PrivacyServices } from './privacy/privacy.routes.js';
import { exportRoutes, type ExportRouteServices } from './exports/exports.routes.js';
import { importRoutes, type ImportRouteServices } from './imports/imports.routes.js';
import { duplicateRoutes, type DuplicateRouteServices } from './duplicates/duplicates.routes.js';
import { mergeRoutes, type MergeRouteServices } from './merge/merge.routes.js';
import type { Database } from './db/database.js';
import { eventRoutes } from './events/events.routes.js';
import { EVENT_CATALOGUE } from './event-catalogue.js';
import type { Kysely } from 'kysely';
import { ERROR_STATUS } from './error-status.js';
import { failure, success } from './http/responses.js';
import { defineRoute, type Route } from './http/route.js';
import type { HandlerServices } from './http/route-group-handler.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { searchRoute } from './search/search-route.js';
import type { BatchServices } from './batch/batch-runner.js';
import { batchRoutes } from './batch/batch-routes.js';
import { CUSTOMER_BATCH, customerTransitionBatchRoute } from './customers/customer-batch.js';
import { COMPANY_BATCH } from './companies/company-batch.js';
import { DEAL_BATCH } from './deals/deal-batch.js';
import { INTERACTION_BATCH } from './interactions/interaction-batch.js';
import { CUSTOMER_SEARCH } from './customers/customer-search.js';
import { CUSTOMER_PERMISSIONS } from './customers/customer-permissions.js';
import { COMPANY_SEARCH } from './companies/company-search.js';
import { COMPANY_PERMISSIONS } from './companies/company-permissions.js';
import { DEAL_SEARCH } from './deals/deal-search.js';
import { DEAL_PERMISSIONS } from './deals/deal-permissions.js';
import { INTERACTION_SEARCH } from './interactions/interaction-search.js';
import { INTERACTION_PERMISSIONS } from './interactions/interaction-permissions.js';

/** The API's version as published in the OpenAPI document. */
const SERVICE_VERSION = '1.0.0';

export interface Services
  extends
    CustomerRouteServices,
    CompanyRouteServices,
    PipelineRouteServices,
    DealRouteServices,
    DealReportRouteServices,
    InteractionRouteServices,
    TimelineRouteServices,
    DuplicateRouteServices,
    MergeRouteServices,
    AnalyticsRouteServices,
    PrivacyServices,
    BatchServices<Services>,
    ExportRouteServices,
    ImportRouteServices,
    HandlerServices {
  readonly db: Kysely<Database>;
}

/** Operators and machine callers may ask whether the database answers. */
const OPERATIONS_PERMISSIONS = resourcePermissions('operations', { readiness: ['admin', 'manager', 'service'] });

/** Liveness: answers without the database, so probes never wake (or keep awake) a paused Aurora. */
const healthRoute = defineRoute({
  method: 'GET',
  path: '/health',
  public: true,
  group: 'api-read',
  operationId: 'health',
  summary: 'Liveness: the function answers; the database is not touched (no token needed)',
  response: { status: 200, data: z.strictObject({ status: z.literal('alive') }) },
  handle: async () => success(200, { status: 'alive' }),
});

/** Readiness: one `select 1`, for operators and deploy checks; it resumes a paused database. */
const readyRoute = defineRoute({
  method: 'GET',
  path: '/ready',
  group: 'api-read',
  operationId: 'ready',
  summary: 'Readiness: the database answers',
  permission: OPERATIONS_PERMISSIONS.readiness,
  response: { status: 200, data: z.strictObject({ database: z.literal('up') }) },
  handle: async ({ requestId }, services: Services) => {
    try {
      await sql`select 1`.execute(services.db);
      return success(200, { database: 'up' });
    } catch {
      return failure('SERVICE_UNAVAILABLE', 'The database is not answering.', requestId);
    }
  },
});

let openApiJson: string | undefined;

/** The document is built on first request (not at cold start) and kept for the life of the function. */
const openApiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  public: true,
  group: 'api-read',
  operationId: 'getOpenApiDocument',
  summary: 'This API as an OpenAPI 3.1 document (no token needed)',
  response: { status: 200, raw: true, data: z.looseObject({ openapi: z.literal('3.1.0') }) },
  handle: async () => {
    openApiJson ??= JSON.stringify(openApiDocument());
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
      body: openApiJson,
    };
  },
});

/** POST /{object}/search: one mechanism (functions/search), each object's declaration, its read permission. */
const searchRoutes = [
  searchRoute(CUSTOMER_SEARCH, CUSTOMER_PERMISSIONS.read),
  searchRoute(COMPANY_SEARCH, COMPANY_PERMISSIONS.read),
  searchRoute(DEAL_SEARCH, DEAL_PERMISSIONS.read),
  searchRoute(INTERACTION_SEARCH, INTERACTION_PERMISSIONS.read),
];

/** POST /{object}/batch/create|update|upsert|read|archive: one mechanism (functions/batch), each object's adapter. */
const batchRouteTable = [
  ...batchRoutes(CUSTOMER_BATCH),
  customerTransitionBatchRoute,
  ...batchRoutes(COMPANY_BATCH),
  ...batchRoutes(DEAL_BATCH),
  ...batchRoutes(INTERACTION_BATCH),
];

const [firstStream, ...otherStreams] = EVENT_CATALOGUE.aggregates;
const streamTypes: readonly [string, ...string[]] = [firstStream!, ...otherStreams];

/** The single route table: the Lambdas, the local server, CDK and the OpenAPI document all read it. */
export const routes: readonly Route<any, any, any, Services>[] = [
  healthRoute,
  openApiRoute,
  ...customerRoutes,
  ...privacyRoutes,
  ...companyRoutes,
  ...pipelineRoutes,
  ...dealRoutes,
  ...dealReportRoutes,
  ...interactionRoutes,
  ...timelineRoutes,
  ...duplicateRoutes,
  ...mergeRoutes,
  ...eventRoutes(streamTypes),
  ...analyticsRoutes,
  ...searchRoutes,
  ...batchRouteTable,
  ...exportRoutes,
  ...importRoutes,
  readyRoute,
];

/** The OpenAPI 3.1 document of the route table. */
export function openApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(routes, { version: SERVICE_VERSION, errorStatus: ERROR_STATUS });
}
