import * as z from 'zod';
import { INTERACTION_OUTCOMES, INTERACTION_TYPES, DIRECTIONS } from '../../domain/interaction/interaction-type-rules.js';
import { TIMELINE_KINDS, type TimelineKind } from '../../domain/timeline/timeline-summary.js';
import { cleanText, isoTimestamp, pageCursor } from '../http/clean-input.js';
import { pageLimit, single } from '../http/query-parameters.js';

/** Where the previous page ended: time, kind rank and id of its last item. */
export const TimelineCursor = pageCursor(
  z
    .object({ t: isoTimestamp({ requireOffset: true }), r: z.int().min(0).max(9), i: z.uuid() })
    .transform(({ t, r, i }) => ({ occurredAt: t, rank: r, id: i })),
);

const isoDate = isoTimestamp({ allowDate: true });

const timelineQueryShape = {
  kinds: single(cleanText(200))
    .transform((value, context) => {
      const kinds = value.split(',').map((kind) => kind.trim());
      const unknown = kinds.filter((kind) => !(TIMELINE_KINDS as readonly string[]).includes(kind));
      if (unknown.length === 0) return [...new Set(kinds)] as TimelineKind[];
      context.addIssue({ code: 'custom', message: `must be a comma-separated subset of ${TIMELINE_KINDS.join(', ')}` });
      return z.NEVER;
    })
    .optional(),
  from: single(isoDate).optional(),
  to: single(isoDate).optional(),
  limit: pageLimit,
  cursor: single(TimelineCursor).optional(),
};

export const TimelineQuerySchema = z.strictObject(timelineQueryShape);

/** A company's timeline also takes `include_contacts` (default true): its contacts' interactions and orders. */
export const CompanyTimelineQuerySchema = z.strictObject({
  ...timelineQueryShape,
  include_contacts: single(z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((value) => value === 'true')
    .optional(),
});

const common = {
  id: z.uuid().meta({ description: 'the event id (lifecycle, deal), interaction id or order id' }),
  occurred_at: z.iso.datetime(),
  actor: z.string().nullable().meta({ description: 'who acted: the event’s actor, the interaction’s owner; null for orders' }),
  summary: z.string().meta({ examples: ['Outbound call · connected · 12 min'] }),
};

export const TimelineItemRepresentation = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('lifecycle'),
      ...common,
      event_type: z.string().meta({ examples: ['CustomerQualified'] }),
      customer_version: z.int().min(1).optional().meta({ description: 'on a customer’s timeline: the version the event made' }),
      company_version: z.int().min(1).optional().meta({ description: 'on a company’s timeline: the version the event made' }),
      data: z.record(z.string(), z.unknown()).meta({ description: 'the event’s data, as in GET /customers/{id}/history' }),
    }),
    z.strictObject({
      kind: z.literal('deal'),
      ...common,
      deal_id: z.uuid(),
      event_type: z.string().meta({ examples: ['DealStageChanged'] }),
      deal_version: z.int().min(1),
      data: z.record(z.string(), z.unknown()).meta({ description: 'the event’s data, as the deal’s event stream holds it' }),
    }),
    z.strictObject({
      kind: z.literal('interaction'),
      ...common,
      type: z.enum(INTERACTION_TYPES),
      direction: z.enum(DIRECTIONS).nullable(),
      outcome: z.enum(INTERACTION_OUTCOMES).nullable(),
      duration_s: z.int().min(0).nullable(),
      subject: z.string().nullable(),
    }),
    z.strictObject({
      kind: z.literal('order'),
      ...common,
      state: z.enum(['placed', 'completed', 'refunded']),
      total_minor: z.int().min(0),
      currency: z.string().length(3),
    }),
  ])
  .meta({ title: 'TimelineItem' });
