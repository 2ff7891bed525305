import * as z from 'zod';
import { CONTACT_ROLES, DEAL_STATUSES } from '../../domain/deal/deal.js';
import { FORECAST_CATEGORIES } from '../../domain/pipeline/pipeline.js';
import { MAX_TAGS } from '../../domain/shared/tags.js';
import { cleanText, encodePageCursor, isoTimestamp, pageCursor } from '../http/clean-input.js';
import { afterId, pageLimit, single } from '../http/query-parameters.js';
import { EventDetailRepresentation } from '../events/event-representation.js';
import { DEAL_SORTS, type DealSort } from './deal-repository.js';

// Shape and size here; meaning (stage of the pipeline, reasons, dates that exist) is the domain's.
const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const text = (max: number) => cleanText(max);
const amountMinor = z.number({ error: 'must be a whole number of minor units' }).int('must be a whole number of minor units');
const tagList = z.array(text(200), { error: 'must be an array of strings' }).max(MAX_TAGS * 2, `must list at most ${MAX_TAGS} tags`);
const contactList = z
  .array(z.strictObject({ customer_id: uuid, role: text(40) }), { error: 'must be an array of {customer_id, role}' })
  .max(100, 'must list at most 50 contacts');
const date = text(10).meta({ examples: ['2026-12-31'] });

export const DealIdParams = z.object({ id: uuid });

export const CreateDealBody = z.strictObject({
  name: text(400),
  pipeline_id: uuid.optional(),
  stage: text(100).optional(),
  amount: z.strictObject({ amount_minor: amountMinor.nullable(), currency: text(10).optional() }).optional(),
  expected_close_date: date.nullable().optional(),
  company_id: uuid.nullable().optional(),
  primary_customer_id: uuid.nullable().optional(),
  contacts: contactList.optional(),
  owner_id: uuid.nullable().optional(),
  tags: tagList.optional(),
  source: text(50).optional(),
  external_id: text(400).nullable().optional(),
  forecast_category_override: text(20).nullable().optional(),
});

export const UpdateDealBody = z.strictObject({
  name: text(400).optional(),
  amount: z.strictObject({ amount_minor: amountMinor.nullable() }).optional(),
  expected_close_date: date.nullable().optional(),
  company_id: uuid.nullable().optional(),
  primary_customer_id: uuid.nullable().optional(),
  source: text(50).optional(),
  external_id: text(400).nullable().optional(),
  forecast_category_override: text(20).nullable().optional(),
});

export const AssignDealBody = z.strictObject({ owner_id: uuid.nullable() });
export const DealTagsBody = z.strictObject({ tags: tagList });
export const DealContactsBody = z
  .strictObject({ contacts: contactList })
  .meta({ examples: [{ contacts: [{ customer_id: '019b6ec4-774c-70e0-9c2c-7ba19630289d', role: 'decision_maker' }] }] });
export const StageBody = z.strictObject({ stage: text(100) });
const closedAt = isoTimestamp({ requireOffset: true }).optional();
export const WinBody = z.strictObject({ closed_at: closedAt, stage: text(100).optional() });
export const LoseBody = z.strictObject({
  closed_at: closedAt,
  stage: text(100).optional(),
  lost_reason: text(100),
  lost_note: cleanText(2000, { lineBreaks: true }).nullable().optional(),
  competitor: text(200).nullable().optional(),
});

/** `cursor` of the deal list: its key is read like the column of its sort, so a forged cursor is a 400, never a 500. */
const DealCursor = pageCursor(
  z.discriminatedUnion('s', [
    z.object({ s: z.enum(['-created_at', '-updated_at']), k: isoTimestamp({ requireOffset: true }), i: uuid }),
    z.object({
      s: z.literal('expected_close_date'),
      k: isoTimestamp({ allowDate: true }).transform((value) => value.slice(0, 10)),
      i: uuid,
    }),
    z.object({ s: z.literal('-amount'), k: z.string().regex(/^-1$|^(0|[1-9]\d{0,15})$/), i: uuid }),
  ]),
);
export const encodeDealCursor = (sort: DealSort, position: { key: string; id: string }) =>
  encodePageCursor({ s: sort, k: position.key, i: position.id });

export const ListDealsQuery = z.strictObject({
  pipeline_id: single(uuid).optional(),
  stage: single(text(100)).optional(),
  status: single(z.enum(DEAL_STATUSES, { error: `must be one of ${DEAL_STATUSES.join(', ')}` })).optional(),
  owner_id: single(uuid).optional(),
  company_id: single(uuid).optional(),
  customer_id: single(uuid).optional(),
  close_from: single(isoTimestamp({ allowDate: true })).optional(),
  close_to: single(isoTimestamp({ allowDate: true })).optional(),
  currency: single(text(10)).optional(),
  amount_min: single(z.coerce.number({ error: 'must be a whole number' }).int().min(0)).optional(),
  amount_max: single(z.coerce.number({ error: 'must be a whole number' }).int().min(0)).optional(),
  forecast_category: single(z.enum(FORECAST_CATEGORIES, { error: `must be one of ${FORECAST_CATEGORIES.join(', ')}` })).optional(),
  tag: single(text(50)).optional(),
  sort: single(z.enum(DEAL_SORTS, { error: `must be one of ${DEAL_SORTS.join(', ')}` })).default('-created_at'),
  limit: pageLimit,
  cursor: single(DealCursor).optional(),
});

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const money = z.strictObject({
  amount_minor: z.int().min(0).nullable(),
  currency: z
    .string()
    .length(3)
    .meta({ examples: ['EUR'] }),
});

export const DealRepresentation = z
  .strictObject({
    id: z.uuid(),
    name: z.string().meta({ examples: ['Fleet renewal 2027'] }),
    pipeline_id: z.uuid(),
    stage: z.string().meta({ examples: ['proposal'] }),
    status: z.enum(DEAL_STATUSES),
    amount: money,
    probability: z.number().min(0).max(1),
    forecast_category: z.enum(FORECAST_CATEGORIES),
    weighted_amount: money.describe('amount × probability, rounded to the minor unit'),
    days_in_stage: z.int().min(0),
    expected_close_date: z.string().nullable(),
    closed_at: timestamp.nullable(),
    lost_reason: z.string().nullable(),
    lost_note: z.string().nullable(),
    competitor: z.string().nullable(),
    company_id: z.uuid().nullable(),
    primary_customer_id: z.uuid().nullable(),
    contacts: z.array(z.strictObject({ customer_id: z.uuid(), role: z.enum(CONTACT_ROLES) })),
    owner_id: z.uuid().nullable(),
    tags: z.array(z.string()),
    source: z.string(),
    external_id: z.string().nullable(),
    forecast_category_override: z.enum(FORECAST_CATEGORIES).nullable(),
    stage_entered_at: timestamp,
    version: z.int().min(1),
    created_at: timestamp,
    updated_at: timestamp,
    last_interaction_at: timestamp
      .nullable()
      .meta({ description: 'when the latest interaction linked to the deal took place (meetings that did not take place do not count)' }),
  })
  .meta({ title: 'Deal' });

/** The deals of one customer (primary customer or contact) or one company: the deal list's filters, minus the parent. */
export const CustomerDealsQuery = ListDealsQuery.omit({ customer_id: true });
export const CompanyDealsQuery = ListDealsQuery.omit({ company_id: true });

export const DealHistoryQuery = z.strictObject({
  after: afterId("event_id of one of this deal's events").optional(),
  limit: pageLimit,
});

export const DealHistoryItemRepresentation = EventDetailRepresentation.extend({
  time_in_stage: z
    .strictObject({
      stage: z.string().meta({ examples: ['proposal'] }),
      entered_at: timestamp,
      left_at: timestamp.nullable().describe('null while the deal is still in the stage'),
      seconds: z.int().min(0).describe('left_at (or now) − entered_at'),
    })
    .nullable()
    .describe('For events that put the deal in a stage (created, stage changed, won, lost, reopened): how long it stayed there'),
}).meta({ title: 'DealHistoryItem' });
