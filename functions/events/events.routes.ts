import type { Kysely } from 'kysely';
import * as z from 'zod';
import { validationFailed } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Database } from '../db/database.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { toEventDetail } from './event-envelope.js';
import { DELIVERY_STATES, readEventLog, type LoggedEvent } from './event-log.js';

export interface EventRouteServices {
  readonly db: Kysely<Database>;
}

export const EventLogQuery = z.strictObject({
  after: single(z.uuid({ error: 'must be the event_id of an event, e.g. next_cursor of the previous page' })).optional(),
  state: single(z.enum(DELIVERY_STATES, { error: `must be one of ${DELIVERY_STATES.join(', ')}` })).optional(),
  limit: pageLimit,
});

/** An event as the log endpoint shows it: the envelope consumers receive, and how its delivery went. */
function loggedEventBody({ event, delivery }: LoggedEvent): JsonObject {
  return {
    ...toEventDetail(event),
    delivery: {
      published_at: delivery.publishedAt,
      publish_attempts: delivery.publishAttempts,
      last_error: delivery.lastError,
      parked_at: delivery.parkedAt,
    },
  };
}

export const eventRoutes: readonly Route<any, any, any, EventRouteServices>[] = [
  defineRoute({
    method: 'GET',
    path: '/events',
    group: 'customers-read',
    operationId: 'listEvents',
    summary: 'The event log in log order, with delivery state (watch with ?after=<event_id>)',
    permission: 'events:read',
    query: EventLogQuery,
    handle: async ({ query }, services: EventRouteServices) => {
      const page = await readEventLog(services.db, { after: query.after, state: query.state, limit: query.limit });
      if (page.kind === 'unknown_after') {
        return validationFailed([{ field: 'after', message: `no event ${query.after} is in the log` }]);
      }
      const last = page.events[page.events.length - 1];
      return success(200, page.events.map(loggedEventBody), {
        pagination: { limit: query.limit, next_cursor: page.hasMore && last ? last.event.eventId : null },
      });
    },
  }),
];
