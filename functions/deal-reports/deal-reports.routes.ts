import { validationFailed, type FieldIssue } from '../../domain/errors.js';
import { pipelineNotFound } from '../../domain/pipeline/pipeline-errors.js';
import { DEFAULT_PIPELINE_ID } from '../../domain/pipeline/pipeline.js';
import type * as z from 'zod';
import type { JsonObject } from '../../domain/shared/json.js';
import type { AccessScope } from '../auth/access.js';
import type { ApiError, ErrorCode } from '../http/http-errors.js';
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

/**
 * What a report declares; every report route then does the same four steps: read its input from
 * the query at the reports' clock (a window or periods that do not resolve are a 400 naming the
 * parameter), scope it to the caller (a sales rep: their own deals), run its one statement (null:
 * the pipeline it names does not exist), and answer the report in its envelope.
 */
interface ReportSpec<Q, Input extends object, Report> {
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly query: z.ZodType<Q>;
  readonly data: z.ZodType;
  readonly errors?: readonly ErrorCode[];
  readonly input: (query: Q, now: Date) => Input | FieldIssue;
  readonly run: (reports: DealReports, input: Input, scope: ReportScope) => Promise<Report | null>;
  /** The answer when `run` finds no pipeline (only reports that name one). */
  readonly notFound?: (input: Input) => ApiError;
  readonly envelope: (report: Report, input: Input, query: Q) => JsonObject;
}

function reportRoute<Q, Input extends object, Report>(
  spec: ReportSpec<Q, Input, Report>,
): Route<undefined, Q, undefined, DealReportRouteServices> {
  return defineRoute({
    group: 'api-read',
    permission: DEAL_REPORT_PERMISSIONS.read,
    method: 'GET',
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    query: spec.query,
    response: { status: 200, data: spec.data },
    ...(spec.errors && { errors: spec.errors }),
    handle: async ({ query, scope }, services: DealReportRouteServices) => {
      const input = spec.input(query, services.dealReports.now());
      if (isIssue(input)) return validationFailed([input]);
      const report = await spec.run(services.dealReports, input, reportScope(scope));
      if (report === null) {
        if (!spec.notFound) throw new Error(`${spec.path} found no report and declares no answer for it`);
        return spec.notFound(input);
      }
      return success(200, spec.envelope(report, input, query));
    },
  });
}

export const dealReportRoutes: readonly Route<any, any, any, DealReportRouteServices>[] = [
  reportRoute({
    path: '/reports/pipeline',
    operationId: 'getPipelineReport',
    summary: 'Open deals of a pipeline per stage: count, amount and weighted amount per currency, average days in stage',
    query: PipelineReportQuery,
    data: PipelineReportRepresentation,
    errors: ['PIPELINE.NOT_FOUND'],
    input: (query, now) => ({
      pipelineId: query.pipeline_id ?? DEFAULT_PIPELINE_ID,
      ownerId: query.owner_id,
      currency: query.currency,
      now: now.toISOString(),
    }),
    run: (reports, input, scope) => reports.pipeline(input, scope),
    notFound: ({ pipelineId }) => pipelineNotFound(pipelineId),
    envelope: (report, { now }) => ({
      pipeline_id: report.pipeline.id,
      pipeline_name: report.pipeline.name,
      as_of: now,
      stages: report.stages,
      totals: report.totals,
    }),
  }),
  reportRoute({
    path: '/reports/forecast',
    operationId: 'getForecastReport',
    summary: 'Per month or quarter: closed won, commit, best case, pipeline and the weighted total, per currency (and owner)',
    query: ForecastQuery,
    data: ForecastRepresentation,
    input: (query, now) => {
      const periods = resolvePeriods(query, now);
      if (isIssue(periods)) return periods;
      return { pipelineId: query.pipeline_id, period: query.period, periods, groupByOwner: query.group_by === 'owner' };
    },
    run: (reports, input, scope) => reports.forecast(input, scope),
    envelope: (figures, _input, query) => ({
      period: query.period,
      group_by: query.group_by,
      pipeline_id: query.pipeline_id ?? null,
      periods: figures,
    }),
  }),
  reportRoute({
    path: '/reports/win-rate',
    operationId: 'getWinRateReport',
    summary: 'Won / (won + lost) of the deals closed in a window, by count and per currency by amount, with the lost reasons',
    query: WinRateQuery,
    data: WinRateRepresentation,
    input: (query, now) => {
      const window = resolveWindow(query, now);
      return isIssue(window) ? window : { window, groupBy: query.group_by === 'none' ? undefined : query.group_by };
    },
    run: (reports, { window, groupBy }, scope) => reports.winRate({ ...window, groupBy }, scope),
    envelope: (report, { window }, query) => ({ ...window, group_by: query.group_by, ...report }),
  }),
  reportRoute({
    path: '/reports/sales-velocity',
    operationId: 'getSalesVelocityReport',
    summary: 'Open deals × average won amount × win rate ÷ average sales cycle, per currency, with each factor',
    query: SalesVelocityQuery,
    data: SalesVelocityRepresentation,
    input: (query, now) => resolveWindow(query, now),
    run: (reports, window, scope) => reports.salesVelocity(window, scope),
    envelope: (currencies, window) => ({ ...window, currencies }),
  }),
  reportRoute({
    path: '/reports/stage-conversion',
    operationId: 'getStageConversionReport',
    summary: 'Of the deals created in a window, how many reached each stage and how many of those are won, from their events',
    query: StageConversionQuery,
    data: StageConversionRepresentation,
    errors: ['PIPELINE.NOT_FOUND'],
    input: (query, now) => {
      const window = resolveWindow(query, now);
      return isIssue(window) ? window : { ...window, pipelineId: query.pipeline_id ?? DEFAULT_PIPELINE_ID };
    },
    run: (reports, input, scope) => reports.stageConversion(input, scope),
    notFound: ({ pipelineId }) => pipelineNotFound(pipelineId),
    envelope: (report, { pipelineId: _pipelineId, ...window }) => ({
      ...window,
      pipeline_id: report.pipeline.id,
      deals: report.deals,
      stages: report.stages,
    }),
  }),
];
