import * as z from 'zod';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { interactionSummary, lifecycleSummary, orderSummary, TIMELINE_KINDS } from '../../domain/timeline/timeline-summary.js';
import { resourcePermissions } from '../auth/permissions.js';
import { encodePageCursor } from '../http/clean-input.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { CustomerIdParams } from '../customers/customer.schemas.js';
import type { TimelineRow } from './timeline-repository.js';
import type { TimelineService } from './timeline-service.js';
import { TimelineItemRepresentation, TimelineQuerySchema } from './timeline.schemas.js';

export interface TimelineRouteServices {
  readonly timelines: TimelineService;
}

/** Everyone who may read a record reads its timeline; a sales rep, of their own records. */
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
        customer_version: Number(detail.customer_version),
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
  }
}

export const timelineRoutes: readonly Route<any, any, any, TimelineRouteServices>[] = [
  defineRoute({
    method: 'GET',
    path: '/customers/{id}/timeline',
    group: 'api-read',
    operationId: 'getCustomerTimeline',
    summary: 'Everything about a customer, newest first: its events, the interactions linked to it and its orders, a page at a time',
    permission: TIMELINE_PERMISSIONS.read,
    params: CustomerIdParams,
    query: TimelineQuerySchema,
    response: { status: 200, data: z.array(TimelineItemRepresentation), paginated: true },
    errors: ['CUSTOMER.NOT_FOUND'],
    handle: async ({ params, query, scope }, services: TimelineRouteServices) => {
      const page = await services.timelines.customer(
        params.id,
        { kinds: query.kinds ?? [...TIMELINE_KINDS], from: query.from, to: query.to, limit: query.limit, after: query.cursor },
        scope.kind === 'owner' ? { assignedTo: scope.ownerId } : {},
      );
      if (!page) return customerNotFound(params.id);
      return success(200, page.items.map(timelineItemBody), {
        pagination: {
          limit: query.limit,
          next_cursor: page.next ? encodePageCursor({ t: page.next.occurredAt, r: page.next.rank, i: page.next.id }) : null,
        },
      });
    },
  }),
];
