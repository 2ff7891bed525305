import * as z from 'zod';
import { companyNotFound } from '../../domain/company/company-errors.js';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import { dealNotFound } from '../../domain/deal/deal-errors.js';
import type { DomainError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { dealSummary, interactionSummary, lifecycleSummary, orderSummary, TIMELINE_KINDS } from '../../domain/timeline/timeline-summary.js';
import type { AccessScope } from '../auth/access.js';
import { resourcePermissions } from '../auth/permissions.js';
import { readVisibility } from '../companies/companies.routes.js';
import { CompanyIdParams } from '../companies/company.schemas.js';
import type { CompanyService } from '../companies/company-service.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import { DealIdParams } from '../deals/deal.schemas.js';
import type { ErrorCode } from '../http/http-errors.js';
import { encodePageCursor } from '../http/clean-input.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import type { TimelinePage, TimelineQuery, TimelineRow } from './timeline-repository.js';
import type { TimelineService } from './timeline-service.js';
import { CompanyTimelineQuerySchema, TimelineItemRepresentation, TimelineQuerySchema } from './timeline.schemas.js';

export interface TimelineRouteServices {
  readonly timelines: TimelineService;
  /** Explains a company timeline's 404 (COMPANY.MERGED for a merged company). */
  readonly companies: CompanyService;
}

/** Everyone who may read a record reads its timeline; a sales rep, of the records they see. */
export const TIMELINE_PERMISSIONS = resourcePermissions('timelines', { read: ['admin', 'manager', 'sales_rep', 'service', 'viewer'] });

/** `{kind, id, occurred_at, actor, summary, …kind-specific fields}`. */
export function timelineItemBody(row: TimelineRow): JsonObject {
  const common = { kind: row.kind, id: row.id, occurred_at: row.occurredAt, actor: row.actor };
  const detail = row.detail as Record<string, any>;
  switch (row.kind) {
    case 'lifecycle':
      return {
        ...common,
        summary: lifecycleSummary(detail.event_type, detail.data ?? {}),
        event_type: detail.event_type,
        [`${detail.stream}_version`]: Number(detail.version),
        data: detail.data,
      };
    case 'interaction': {
      const durationS = detail.duration_s === null ? null : Number(detail.duration_s);
      return {
        ...common,
        summary: interactionSummary({
          type: detail.type,
          direction: detail.direction,
          outcome: detail.outcome,
          durationS,
          subject: detail.subject,
        }),
        type: detail.type,
        direction: detail.direction,
        outcome: detail.outcome,
        duration_s: durationS,
        subject: detail.subject,
      };
    }
    case 'order': {
      const totalMinor = Number(detail.total_minor);
      return {
        ...common,
        summary: orderSummary({ state: detail.state, totalMinor, currency: detail.currency }),
        state: detail.state,
        total_minor: totalMinor,
        currency: detail.currency,
      };
    }
    case 'deal':
      return {
        ...common,
        summary: dealSummary(detail.event_type, detail.data ?? {}),
        deal_id: detail.deal_id,
        event_type: detail.event_type,
        deal_version: Number(detail.deal_version),
        data: detail.data,
      };
  }
}

const repOf = (scope: AccessScope): string | undefined => (scope.kind === 'owner' ? scope.ownerId : undefined);

type TimelineQueryInput = z.infer<typeof TimelineQuerySchema>;

/**
 * The timeline route of one kind of record: the same query contract, item shape and cursor for
 * every record; `read` picks the record's timeline, `notFound` is its 404.
 */
function timelineRoute<Query extends TimelineQueryInput>(options: {
  readonly record: string;
  readonly operationId: string;
  readonly summary: string;
  readonly params: typeof CustomerIdParams;
  readonly query: z.ZodType<Query>;
  /** The answer for a record the caller cannot read (missing, not theirs, or — for a company — merged into another). */
  readonly notFound: (id: string, services: TimelineRouteServices, scope: AccessScope) => DomainError | Promise<DomainError>;
  readonly errors: readonly ErrorCode[];
  readonly read: (
    services: TimelineRouteServices,
    id: string,
    page: TimelineQuery,
    repId: string | undefined,
    query: Query,
  ) => Promise<TimelinePage | null>;
}) {
  return defineRoute({
    method: 'GET',
    path: `/${options.record}/{id}/timeline`,
    group: 'api-read',
    operationId: options.operationId,
    summary: options.summary,
    permission: TIMELINE_PERMISSIONS.read,
    params: options.params,
    query: options.query,
    response: { status: 200, data: z.array(TimelineItemRepresentation), paginated: true },
    errors: options.errors,
    handle: async ({ params, query, scope }, services: TimelineRouteServices) => {
      const page = await options.read(
        services,
        params.id,
        { kinds: query.kinds ?? [...TIMELINE_KINDS], from: query.from, to: query.to, limit: query.limit, after: query.cursor },
        repOf(scope),
        query,
      );
      if (!page) return options.notFound(params.id, services, scope);
      return success(200, page.items.map(timelineItemBody), {
        pagination: {
          limit: query.limit,
          next_cursor: page.next ? encodePageCursor({ t: page.next.occurredAt, r: page.next.rank, i: page.next.id }) : null,
        },
      });
    },
  });
}

export const timelineRoutes: readonly Route<any, any, any, TimelineRouteServices>[] = [
  timelineRoute({
    record: 'customers',
    operationId: 'getCustomerTimeline',
    summary:
      'Everything about a customer, newest first: its events, the interactions linked to it, its orders and its deals’ events, a page at a time',
    params: CustomerIdParams,
    query: TimelineQuerySchema,
    notFound: customerNotFound,
    errors: ['CUSTOMER.NOT_FOUND'],
    read: (services, id, page, repId) => services.timelines.customer(id, page, repId),
  }),
  timelineRoute({
    record: 'companies',
    operationId: 'getCompanyTimeline',
    summary:
      'Everything about a company, newest first: its events, the interactions linked to it, its deals’ events and (unless include_contacts=false) its contacts’ interactions and orders',
    params: CompanyIdParams,
    query: CompanyTimelineQuerySchema,
    notFound: async (id, services, scope) => {
      const missing = await services.companies.get(id, readVisibility(scope));
      return missing.ok ? companyNotFound(id) : missing.error;
    },
    errors: ['COMPANY.NOT_FOUND', 'COMPANY.MERGED'],
    read: (services, id, page, repId, query) => services.timelines.company(id, page, repId, query.include_contacts ?? true),
  }),
  timelineRoute({
    record: 'deals',
    operationId: 'getDealTimeline',
    summary: 'Everything about a deal, newest first: its events and the interactions linked to it',
    params: DealIdParams,
    query: TimelineQuerySchema,
    notFound: dealNotFound,
    errors: ['DEAL.NOT_FOUND'],
    read: (services, id, page, repId) => services.timelines.deal(id, page, repId),
  }),
];
