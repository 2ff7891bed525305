import { validationFailed, type FieldIssue } from '../../domain/errors.js';
import { pipelineNotFound } from '../../domain/pipeline/pipeline-errors.js';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import type { AccessScope } from '../auth/access.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { DEAL_REPORT_PERMISSIONS } from './deal-report-permissions.js';
import type { DealReports } from './deal-reports.js';
import {
  ForecastQuery,
  ForecastRepresentation,
  PipelineReportQuery,
  PipelineReportRepresentation,
  SalesVelocityQuery,
  SalesVelocityRepresentation,
  StageConversionQuery,
  StageConversionRepresentation,
  WinRateQuery,
  WinRateRepresentation,
} from './deal-reports.schemas.js';
import { resolvePeriods, resolveWindow } from './report-window.js';
import type { ReportScope } from './report-sql.js';

export interface DealReportRouteServices {
  readonly dealReports: DealReports;
}

/** A sales rep's reports count their own deals only. */
const reportScope = (scope: AccessScope): ReportScope => (scope.kind === 'owner' ? { ownerId: scope.ownerId } : {});
const isIssue = (value: object): value is FieldIssue => 'field' in value;

const common = { group: 'api-read', permission: DEAL_REPORT_PERMISSIONS.read } as const;

export const dealReportRoutes: readonly Route<any, any, any, DealReportRouteServices>[] = [
  defineRoute({
    ...common,
    method: 'GET',
    path: '/reports/pipeline',
    operationId: 'getPipelineReport',
    summary: 'Open deals of a pipeline per stage: count, amount and weighted amount per currency, average days in stage',
    query: PipelineReportQuery,
    response: { status: 200, data: PipelineReportRepresentation },
    errors: ['PIPELINE.NOT_FOUND'],
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const pipelineId = query.pipeline_id ?? DEFAULT_PIPELINE_ID;
      const asOf = services.dealReports.now().toISOString();
      const report = await services.dealReports.pipeline(
        { pipelineId, ownerId: query.owner_id, currency: query.currency, now: asOf },
        reportScope(scope),
      );
      if (!report) return pipelineNotFound(pipelineId);
      return success(200, {
        pipeline_id: report.pipeline.id,
        pipeline_name: report.pipeline.name,
        as_of: asOf,
        stages: report.stages,
        totals: report.totals,
      });
    },
  }),
  defineRoute({
    ...common,
    method: 'GET',
    path: '/reports/forecast',
    operationId: 'getForecastReport',
    summary: 'Per month or quarter: closed won, commit, best case, pipeline and the weighted total, per currency (and owner)',
    query: ForecastQuery,
    response: { status: 200, data: ForecastRepresentation },
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const periods = resolvePeriods(query, services.dealReports.now());
      if (isIssue(periods)) return validationFailed([periods]);
      const figures = await services.dealReports.forecast(
        { pipelineId: query.pipeline_id, period: query.period, periods, groupByOwner: query.group_by === 'owner' },
        reportScope(scope),
      );
      return success(200, { period: query.period, group_by: query.group_by, pipeline_id: query.pipeline_id ?? null, periods: figures });
    },
  }),
  defineRoute({
    ...common,
    method: 'GET',
    path: '/reports/win-rate',
    operationId: 'getWinRateReport',
    summary: 'Won / (won + lost) of the deals closed in a window, by count and per currency by amount, with the lost reasons',
    query: WinRateQuery,
    response: { status: 200, data: WinRateRepresentation },
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const window = resolveWindow(query, services.dealReports.now());
      if (isIssue(window)) return validationFailed([window]);
      const groupBy = query.group_by === 'none' ? undefined : query.group_by;
      const report = await services.dealReports.winRate({ ...window, groupBy }, reportScope(scope));
      return success(200, { ...window, group_by: query.group_by, ...report });
    },
  }),
  defineRoute({
    ...common,
    method: 'GET',
    path: '/reports/sales-velocity',
    operationId: 'getSalesVelocityReport',
    summary: 'Open deals × average won amount × win rate ÷ average sales cycle, per currency, with each factor',
    query: SalesVelocityQuery,
    response: { status: 200, data: SalesVelocityRepresentation },
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const window = resolveWindow(query, services.dealReports.now());
      if (isIssue(window)) return validationFailed([window]);
      return success(200, { ...window, currencies: await services.dealReports.salesVelocity(window, reportScope(scope)) });
    },
  }),
  defineRoute({
    ...common,
    method: 'GET',
    path: '/reports/stage-conversion',
    operationId: 'getStageConversionReport',
    summary: 'Of the deals created in a window, how many reached each stage and how many of those are won, from their events',
    query: StageConversionQuery,
    response: { status: 200, data: StageConversionRepresentation },
    errors: ['PIPELINE.NOT_FOUND'],
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const window = resolveWindow(query, services.dealReports.now());
      if (isIssue(window)) return validationFailed([window]);
      const pipelineId = query.pipeline_id ?? DEFAULT_PIPELINE_ID;
      const report = await services.dealReports.stageConversion({ ...window, pipelineId }, reportScope(scope));
      if (!report) return pipelineNotFound(pipelineId);
      return success(200, { ...window, pipeline_id: report.pipeline.id, deals: report.deals, stages: report.stages });
    },
  }),
];
