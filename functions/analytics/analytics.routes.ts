import * as z from 'zod';
import { modelNotFound, notComputed, runNotFound } from '../../domain/analytics/analytics-errors.js';
import { validationFailed } from '../../domain/errors.js';
import type { AccessScope } from '../auth/access.js';
import type { CustomerService } from '../customers/customer-service.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { success } from '../http/responses.js';
import { BASE_PATH, defineRoute, type Route } from '../http/route.js';
import { ANALYTICS_PERMISSIONS, REPORT_PERMISSIONS } from './analytics-permissions.js';
import { cohortBody, funnelBody, insightBody, modelBody, runBody, segmentsBody } from './analytics-responses.js';
import type { RunSettings } from './analytics-run-store.js';
import { DEFAULT_RUN_SETTINGS, type AnalyticsService } from './analytics-service.js';
import {
  AnalyticsCustomersQuery,
  CohortRepresentation,
  CohortsQuery,
  encodeInsightCursor,
  FunnelQuery,
  FunnelRepresentation,
  InsightRepresentation,
  InsightsQuery,
  ModelIdParams,
  ModelRepresentation,
  RunIdParams,
  RunRepresentation,
  SegmentsQuery,
  SegmentsRepresentation,
  StartRunBody,
} from './analytics.schemas.js';

export interface AnalyticsRouteServices {
  readonly analytics: AnalyticsService;
  readonly customers: CustomerService;
}

const DAY_MS = 86_400_000;
/** The funnel's default window: the 90 days before `to`. */
const DEFAULT_FUNNEL_DAYS = 90;

/** A sales rep sees the insights of their own customers only. */
const ownerOf = (scope: AccessScope) => (scope.kind === 'owner' ? scope.ownerId : undefined);

/** The body's settings over the defaults (nested ones field by field). */
function settingsFrom(body: StartRunBody | undefined): RunSettings {
  const base = DEFAULT_RUN_SETTINGS;
  return {
    horizonWeeks: body?.horizon_weeks ?? base.horizonWeeks,
    clv: { months: body?.clv_months ?? base.clv.months, monthlyDiscountRate: body?.monthly_discount_rate ?? base.clv.monthlyDiscountRate },
    churn: {
      horizonWeeks: body?.churn_horizon_weeks ?? base.churn.horizonWeeks,
      thresholds: body?.churn_thresholds ?? base.churn.thresholds,
    },
    maxFitCustomers: body?.max_fit_customers ?? base.maxFitCustomers,
    partitionCustomers: body?.partition_customers ?? base.partitionCustomers,
  };
}

export const analyticsRoutes: readonly Route<any, any, any, AnalyticsRouteServices>[] = [
  defineRoute({
    method: 'POST',
    path: '/analytics/runs',
    group: 'api-write',
    operationId: 'startAnalyticsRun',
    summary: 'Start an analytics run: fit the models and score every customer (202; follow it at the Location)',
    permission: ANALYTICS_PERMISSIONS.run,
    body: { schema: StartRunBody, required: false },
    response: { status: 202, data: RunRepresentation, headers: ['location'] },
    errors: ['ANALYTICS.RUN_IN_PROGRESS'],
    handle: async ({ body, actor }, services: AnalyticsRouteServices) => {
      const started = await services.analytics.startRun({
        requestedBy: actor.id,
        triggeredBy: 'api',
        asOf: body?.as_of,
        settings: settingsFrom(body),
      });
      if (!started.ok) return started.error;
      return success(202, runBody(started.value, []), { headers: { location: `${BASE_PATH}/analytics/runs/${started.value.id}` } });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/analytics/runs/{id}',
    group: 'api-read',
    operationId: 'getAnalyticsRun',
    summary: 'An analytics run: its state, progress, models and error',
    permission: ANALYTICS_PERMISSIONS.run,
    params: RunIdParams,
    response: { status: 200, data: RunRepresentation },
    errors: ['ANALYTICS.RUN_NOT_FOUND'],
    handle: async ({ params }, services: AnalyticsRouteServices) => {
      const run = await services.analytics.runs.get(params.id);
      if (!run) return runNotFound(params.id);
      return success(200, runBody(run, await services.analytics.models.forRun(run.id)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/analytics/models/{id}',
    group: 'api-read',
    operationId: 'getAnalyticsModel',
    summary: 'A fitted model: BG/NBD and Gamma-Gamma parameters, log-likelihoods, customer counts, data window, segments',
    permission: ANALYTICS_PERMISSIONS.read,
    params: ModelIdParams,
    response: { status: 200, data: ModelRepresentation },
    errors: ['ANALYTICS.MODEL_NOT_FOUND'],
    handle: async ({ params }, services: AnalyticsRouteServices) => {
      const model = await services.analytics.models.get(params.id);
      return model ? success(200, modelBody(model)) : modelNotFound(params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/analytics/rfm/segments',
    group: 'api-read',
    operationId: 'getRfmSegments',
    summary: 'RFM segments of a currency: customers, revenue and average CLV per segment, from the newest run (as of a date)',
    permission: ANALYTICS_PERMISSIONS.read,
    query: SegmentsQuery,
    response: { status: 200, data: SegmentsRepresentation },
    errors: ['ANALYTICS.NOT_COMPUTED'],
    handle: async ({ query }, services: AnalyticsRouteServices) => {
      const model = await services.analytics.models.latest(query.currency, query.as_of);
      return model ? success(200, segmentsBody(model)) : notComputed(query.currency, query.as_of);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/analytics/customers',
    group: 'api-read',
    operationId: 'listCustomerInsights',
    summary: 'Customers of a currency ranked by CLV or P(alive), filtered by segment and churn risk (keyset cursor)',
    permission: ANALYTICS_PERMISSIONS.insights,
    query: AnalyticsCustomersQuery,
    response: { status: 200, data: z.array(InsightRepresentation), paginated: true },
    handle: async ({ query, scope }, services: AnalyticsRouteServices) => {
      if (query.cursor && query.cursor.sort !== query.sort) {
        return validationFailed([
          { field: 'cursor', message: `it was issued for sort=${query.cursor.sort}; repeat the same sort to continue` },
        ]);
      }
      const page = await services.analytics.insights.list({
        currency: query.currency,
        segment: query.segment,
        churnRisk: query.churn_risk,
        assignedTo: ownerOf(scope),
        sort: query.sort,
        limit: query.limit,
        after: query.cursor,
      });
      const last = page.items[page.items.length - 1];
      const next =
        page.hasMore && last ? encodeInsightCursor(query.sort, query.sort === '-clv' ? last.clv : last.pAlive, last.customerId) : null;
      return success(200, page.items.map(insightBody), { pagination: { limit: query.limit, next_cursor: next } });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/insights',
    group: 'api-read',
    operationId: 'getCustomerInsights',
    summary: "The customer's latest scores, one per currency: RFM, P(alive), expected orders, CLV, churn risk",
    permission: ANALYTICS_PERMISSIONS.insights,
    params: CustomerIdParams,
    query: InsightsQuery,
    response: { status: 200, data: z.array(InsightRepresentation), paginated: true },
    errors: ['CUSTOMER.NOT_FOUND'],
    handle: async ({ params, query, scope }, services: AnalyticsRouteServices) => {
      const visibility = { assignedTo: ownerOf(scope) };
      const customer = await services.customers.get(params.id, visibility);
      if (!customer.ok) return customer.error;
      const rows = await services.analytics.insights.forCustomer(params.id, visibility, query);
      const items = rows.slice(0, query.limit);
      const next = rows.length > query.limit ? items[items.length - 1]!.currency : null;
      return success(200, items.map(insightBody), { pagination: { limit: query.limit, next_cursor: next } });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/reports/lifecycle-funnel',
    group: 'api-read',
    operationId: 'getLifecycleFunnel',
    summary: 'Lead → prospect → customer conversion and median days per step of the customers created in a window, from the event log',
    permission: REPORT_PERMISSIONS.read,
    query: FunnelQuery,
    response: { status: 200, data: FunnelRepresentation },
    handle: async ({ query }, services: AnalyticsRouteServices) => {
      const to = query.to ?? services.analytics.now().toISOString();
      const from = query.from ?? new Date(Date.parse(to) - DEFAULT_FUNNEL_DAYS * DAY_MS).toISOString();
      if (Date.parse(from) >= Date.parse(to)) return validationFailed([{ field: 'from', message: `must be before to (${to})` }]);
      return success(200, funnelBody(await services.analytics.reports.lifecycleFunnel(from, to)));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/reports/cohorts',
    group: 'api-read',
    operationId: 'getCohortRetention',
    summary: 'Monthly cohorts of a currency: customers by month of first order and the share ordering again in each later month',
    permission: REPORT_PERMISSIONS.read,
    query: CohortsQuery,
    response: { status: 200, data: z.array(CohortRepresentation), paginated: true },
    handle: async ({ query }, services: AnalyticsRouteServices) => {
      const page = await services.analytics.reports.cohorts(query.currency, services.analytics.now(), query);
      const last = page.items[page.items.length - 1];
      return success(200, page.items.map(cohortBody), {
        pagination: { limit: query.limit, next_cursor: page.hasMore && last ? last.cohort : null },
      });
    },
  }),
];
