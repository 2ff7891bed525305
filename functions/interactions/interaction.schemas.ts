import * as z from 'zod';
import { INTERACTION_SOURCES } from '../../domain/interaction/interaction.js';
import { DIRECTIONS, INTERACTION_OUTCOMES, INTERACTION_TYPES, MAX_DURATION_S } from '../../domain/interaction/interaction-type-rules.js';
import { MAX_LINKS, MAX_PARTICIPANTS } from '../../domain/interaction/log-interaction.js';
import { cleanText, isoTimestamp, pageCursor } from '../http/clean-input.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { LINK_TARGETS, type LinkTarget } from './link-targets.js';

// Shape, size and clean text are checked here; the type rules and trimming are the domain's.
const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const type = oneOf(INTERACTION_TYPES);
const direction = oneOf(DIRECTIONS);
const outcome = oneOf(INTERACTION_OUTCOMES);
const source = oneOf(INTERACTION_SOURCES);
const occurredAt = isoTimestamp();
const subject = cleanText(600);
const body = cleanText(70_000, { lineBreaks: true });
const duration = z
  .number({ error: 'must be a whole number of seconds' })
  .int('must be a whole number of seconds')
  .min(0, 'must be at least 0')
  .max(MAX_DURATION_S, `must be at most ${MAX_DURATION_S} (a day)`);

export const InteractionIdParams = z.object({ id: uuid });

const Participant = z.union(
  [z.strictObject({ customer_id: uuid }), z.strictObject({ email: cleanText(254), name: cleanText(400).nullable().optional() })],
  { error: 'a participant is {"customer_id"} or {"email", "name"?}' },
);

const linkIds = (target: LinkTarget) =>
  target.many
    ? z.array(uuid, { error: 'must be an array of ids' }).max(MAX_LINKS, `must list at most ${MAX_LINKS} ids`).optional()
    : uuid.nullable().optional();

/** `links`: one key per link target (customer_ids, company_id, deal_ids). */
const Links = z.strictObject(Object.fromEntries(LINK_TARGETS.map((target) => [target.field, linkIds(target)])));

/** `links` of a change: each key given replaces those links (`company_id: null`, `deal_ids: []` unlink); customer links are fixed. */
const ChangedLinks = z.strictObject(
  Object.fromEntries(
    LINK_TARGETS.map((target) => [
      target.field,
      target.relinkable
        ? linkIds(target)
        : z
            .unknown()
            .refine((value) => value === undefined, `${target.field} are fixed when the interaction is logged (participants name them)`)
            .optional(),
    ]),
  ),
);

export const CreateInteractionBody = z.strictObject({
  type,
  occurred_at: occurredAt,
  direction: direction.nullable().optional(),
  subject: subject.nullable().optional(),
  body: body.nullable().optional(),
  duration_s: duration.nullable().optional(),
  outcome: outcome.nullable().optional(),
  participants: z
    .array(Participant, { error: 'must be an array' })
    .max(MAX_PARTICIPANTS, `must list at most ${MAX_PARTICIPANTS} participants`)
    .optional(),
  links: Links.optional(),
  owner_id: uuid.optional(),
  source: source.optional(),
  external_id: cleanText(500).min(1, 'must not be empty').optional(),
});
export type CreateInteractionBody = z.infer<typeof CreateInteractionBody>;

export const UpdateInteractionBody = z.strictObject({
  type: type.optional(),
  occurred_at: occurredAt.optional(),
  direction: direction.nullable().optional(),
  subject: subject.nullable().optional(),
  body: body.nullable().optional(),
  duration_s: duration.nullable().optional(),
  outcome: outcome.nullable().optional(),
  owner_id: uuid.optional(),
  links: ChangedLinks.optional(),
});

/** Keys of the create body that PUT refuses: they are fixed when the interaction is logged. */
export const FIXED_FIELD_HINTS: Readonly<Record<string, string>> = Object.fromEntries(
  ['participants', 'source', 'external_id'].map((field) => [
    field,
    `${field} is fixed when the interaction is logged; delete it and log it again to change it`,
  ]),
);

/** Where the previous page of interactions ended (newest first): its last occurred_at and id. */
export const InteractionCursor = pageCursor(
  z.object({ t: isoTimestamp({ requireOffset: true }), i: z.uuid() }).transform(({ t, i }) => ({ occurredAt: t, id: i })),
);

const isoDate = isoTimestamp({ allowDate: true });

export const ListInteractionsQuery = z.strictObject({
  ...Object.fromEntries(LINK_TARGETS.map((target) => [`${target.type}_id`, single(uuid).optional()])),
  type: single(type).optional(),
  owner_id: single(uuid).optional(),
  direction: single(direction).optional(),
  outcome: single(outcome).optional(),
  occurred_from: single(isoDate).optional(),
  occurred_to: single(isoDate).optional(),
  q: single(cleanText(200).min(1, 'must not be empty')).optional(),
  limit: pageLimit,
  cursor: single(InteractionCursor).optional(),
});

// Representations: what the API answers, documented in OpenAPI and checked against real responses.
const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });

export const InteractionRepresentation = z
  .strictObject({
    id: z.uuid(),
    type: z.enum(INTERACTION_TYPES),
    occurred_at: timestamp,
    direction: z.enum(DIRECTIONS).nullable(),
    subject: z
      .string()
      .nullable()
      .meta({ examples: ['Renewal call'] }),
    body: z.string().nullable(),
    duration_s: z.int().min(0).nullable(),
    outcome: z.enum(INTERACTION_OUTCOMES).nullable(),
    participants: z.array(
      z.strictObject({
        customer_id: z.uuid().nullable(),
        email: z.string().nullable(),
        name: z.string().nullable(),
        matched_by: z
          .enum(['id', 'email'])
          .nullable()
          .meta({ description: '`email`: the email given matched a live customer, who is linked; `id`: named by customer_id' }),
      }),
    ),
    links: z.strictObject(
      Object.fromEntries(LINK_TARGETS.map((target) => [target.field, target.many ? z.array(z.uuid()) : z.uuid().nullable()])),
    ),
    owner_id: z.uuid(),
    source: z.enum(INTERACTION_SOURCES),
    external_id: z.string().nullable(),
    version: z.int().min(1),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ title: 'Interaction' });
