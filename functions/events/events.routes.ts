import type { Kysely } from 'kysely';
import * as z from 'zod';
import { validationFailed } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Database } from '../db/database.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { toEventDetail } from './event-envelope.js';
import { EVENT_PERMISSIONS } from './event-permissions.js';
import { LoggedEventRepresentation } from './event-representation.js';
import { DELIVERY_STATES, readEventLog, type LoggedEvent } from './event-log.js';

export interface EventRouteServices {
  readonly db: Kysely<Database>;
}

/** The log's query string; `aggregate_type` takes the aggregates that publish events. */
export function eventLogQuery(aggregateTypes: readonly [string, ...string[]]) {
  return z.strictObject({
    after: single(z.uuid({ error: 'must be the event_id of an event, e.g. next_cursor of the previous page' })).optional(),
    state: single(z.enum(DELIVERY_STATES, { error: `must be one of ${DELIVERY_STATES.join(', ')}` })).optional(),
    aggregate_type: single(z.enum(aggregateTypes, { error: `must be one of ${aggregateTypes.join(', ')}` })).optional(),
    aggregate_id: single(z.uuid({ error: 'must be the id (a UUID) of a customer, company, … ' })).optional(),
    limit: pageLimit,
  });
}

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

/** The event-log routes, for a service whose streams are of the given aggregate types. */
export function eventRoutes(aggregateTypes: readonly [string, ...string[]]): readonly Route<any, any, any, EventRouteServices>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/events',
      group: 'api-read',
      operationId: 'listEvents',
      summary: 'The event log in log order, with delivery state (watch with ?after=<event_id>)',
      permission: EVENT_PERMISSIONS.read,
      query: eventLogQuery(aggregateTypes),
      response: { status: 200, data: z.array(LoggedEventRepresentation), paginated: true },
      handle: async ({ query }, services: EventRouteServices) => {
        const page = await readEventLog(services.db, {
          after: query.after,
          state: query.state,
          aggregateType: query.aggregate_type,
          aggregateId: query.aggregate_id,
          limit: query.limit,
        });
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
}
