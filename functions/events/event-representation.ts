import * as z from 'zod';

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });

/**
 * An event as consumers receive it under `detail` (and as history endpoints show it): the
 * stream is `<aggregate>_id` / `<aggregate>_version`; `data` per type is in the event catalogue.
 */
export const EventDetailRepresentation = z
  .looseObject({
    event_id: z.uuid(),
    event_type: z.string().meta({ examples: ['CustomerQualified'] }),
    event_version: z.int().min(1),
    occurred_at: timestamp,
    actor: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({
    title: 'EventDetail',
    description: 'Also carries `<aggregate>_id` and `<aggregate>_version`, e.g. customer_id and customer_version.',
  });

export const LoggedEventRepresentation = EventDetailRepresentation.extend({
  delivery: z.strictObject({
    published_at: timestamp.nullable(),
    publish_attempts: z.int().min(0),
    last_error: z.string().nullable(),
    parked_at: timestamp.nullable(),
  }),
}).meta({ title: 'LoggedEvent' });
