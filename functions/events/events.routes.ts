import type { Kysely } from 'kysely';
import * as z from 'zod';
import { validationFailed } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { Database } from '../db/database.js';
import { success } from '../http/responses.js';
import { defineRoute, type Route } from '../http/route.js';
import { toEventDetail } from './event-envelope.js';
import { DELIVERY_STATES, readEventLog, type LoggedEvent } from './event-log.js';

export interface EventRouteServices {
  readonly db: Kysely<Database>;
}

const once = <T extends z.ZodType>(schema: T) =>
  z
    .unknown()
    .refine((value) => !Array.isArray(value), { message: 'give this parameter only once', abort: true })
    .pipe(schema);

export const EventLogQuery = z.strictObject({
  after: once(z.uuid({ error: 'must be the event_id of an event, e.g. next_cursor of the previous page' })).optional(),
  state: once(z.enum(DELIVERY_STATES, { error: `must be one of ${DELIVERY_STATES.join(', ')}` })).optional(),
  limit: once(
    z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(100, 'must be at most 100')),
  ).default(20),
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
