import * as z from 'zod';
import { CHURN_RISK_BANDS } from '../../domain/analytics/churn-risk.js';
import { RFM_SEGMENTS } from '../../domain/analytics/rfm-segments.js';
import { CUSTOMER_STATUSES, CUSTOMER_TIERS } from '../../domain/customer/customer.js';
import { SORT_ORDERS } from '../../domain/customer/customer-repository.js';
import { MAX_TAGS } from '../../domain/shared/tags.js';
import { cleanText, isoTimestamp } from '../http/clean-input.js';
import { afterId, pageLimit, single } from '../http/query-parameters.js';
import { CustomerCursor } from './page-cursor.js';

// Shape and size are checked here, and text is clean (see http/clean-input.ts); meaning (email
// syntax, phone numbers, tag format) is the domain's job. Length caps stop absurd inputs before
// they reach any parser.
const text = (max: number) => cleanText(max);
const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const tier = z.enum(CUSTOMER_TIERS, { error: `must be one of ${CUSTOMER_TIERS.join(', ')}` });
const tagList = z.array(text(200), { error: 'must be an array of strings' }).max(MAX_TAGS * 2, `must list at most ${MAX_TAGS} tags`);

export const CustomerIdParams = z.object({ id: uuid });
export const EmailParams = z.object({ email: text(254).min(1, 'is required') });

export const CreateCustomerBody = z.strictObject({
  name: text(400),
  email: text(254),
  phone: text(40).nullable().optional(),
  source: text(50).optional(),
  tier: tier.optional(),
  user_id: uuid.nullable().optional(),
  company_id: uuid.nullable().optional(),
  external_id: text(400).nullable().optional(),
  assigned_to: uuid.nullable().optional(),
  tags: tagList.optional(),
});

export const UpdateCustomerBody = z.strictObject({
  name: text(400).optional(),
  email: text(254).optional(),
  phone: text(40).nullable().optional(),
  source: text(50).optional(),
  user_id: uuid.nullable().optional(),
  company_id: uuid.nullable().optional(),
  external_id: text(400).nullable().optional(),
});

export const ChurnBody = z.strictObject({ reason: cleanText(500, { lineBreaks: true }).optional() });
export const AssignBody = z.strictObject({ assigned_to: uuid.nullable() });
export const TierBody = z.strictObject({ tier });
export const TagsBody = z.strictObject({ tags: tagList });

const isoDate = isoTimestamp({ allowDate: true });

export const ListCustomersQuery = z.strictObject({
  status: single(z.enum(CUSTOMER_STATUSES, { error: `must be one of ${CUSTOMER_STATUSES.join(', ')}` })).optional(),
  tier: single(tier).optional(),
  source: single(text(50)).optional(),
  assigned_to: single(uuid).optional(),
  company_id: single(uuid).optional(),
  user_id: single(uuid).optional(),
  external_id: single(text(400).min(1, 'must not be empty')).optional().describe('holds exactly this external id (trimmed; case counts)'),
  tag: z
    .union([text(50), z.array(text(50)).max(MAX_TAGS, `give at most ${MAX_TAGS} tag parameters`)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional(),
  tags_all: single(text(2600))
    .transform((value) => value.split(','))
    .optional(),
  q: single(text(200).min(1, 'must not be empty')).optional(),
  created_from: single(isoDate).optional(),
  created_to: single(isoDate).optional(),
  segment: single(z.enum(RFM_SEGMENTS, { error: `must be one of ${RFM_SEGMENTS.join(', ')}` }))
    .optional()
    .describe('has this RFM segment in its stored analytics insight (any currency)'),
  churn_risk: single(z.enum(CHURN_RISK_BANDS, { error: `must be one of ${CHURN_RISK_BANDS.join(', ')}` }))
    .optional()
    .describe('has this churn-risk band in its stored analytics insight (any currency)'),
  sort: single(z.enum(SORT_ORDERS, { error: `must be one of ${SORT_ORDERS.join(', ')}` })).default('-created_at'),
  limit: pageLimit,
  cursor: single(CustomerCursor).optional(),
});
export type ListCustomersQuery = z.infer<typeof ListCustomersQuery>;

/** Every child list of a customer is a keyset page: `after` (an item id) and `limit`. */
export const HistoryQuery = z.strictObject({ after: afterId("event_id of one of this customer's events").optional(), limit: pageLimit });
export const PurchasesQuery = z.strictObject({ after: afterId("order_id of one of this customer's orders").optional(), limit: pageLimit });

// Representations: what the API answers, documented in OpenAPI and checked against real responses.
const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const nullableUuid = z.uuid().nullable();

export const CustomerRepresentation = z
  .strictObject({
    id: z.uuid(),
    name: z.string().meta({ examples: ['Ada Lovelace'] }),
    email: z.string().meta({ examples: ['ada@example.com'] }),
    phone: z
      .string()
      .nullable()
      .meta({ examples: ['+442079460958'] }),
    status: z.enum(CUSTOMER_STATUSES),
    tier: z.enum(CUSTOMER_TIERS),
    source: z.string().meta({ examples: ['website'] }),
    assigned_to: nullableUuid,
    tags: z.array(z.string().meta({ examples: ['vip'] })),
    user_id: nullableUuid,
    company_id: nullableUuid,
    external_id: z
      .string()
      .nullable()
      .meta({ description: "another system's id for the person, unique among live customers", examples: ['shop-4711'] }),
    version: z.int().min(1),
    churned_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    purchase_summary: z.strictObject({
      orders_count: z.int().min(0),
      total_spent_minor: z
        .record(z.string(), z.int())
        .meta({ description: 'per ISO 4217 currency, in minor units', examples: [{ EUR: 4999 }] }),
      first_order_at: timestamp.nullable(),
      last_order_at: timestamp.nullable(),
    }),
    last_interaction_at: timestamp.nullable().meta({ description: 'when the latest interaction linked to the customer took place' }),
  })
  .meta({ title: 'Customer' });

export const PurchaseRepresentation = z
  .strictObject({
    order_id: z.uuid(),
    state: z.enum(['placed', 'completed', 'refunded']),
    total_minor: z.int().min(0),
    currency: z
      .string()
      .length(3)
      .meta({ examples: ['EUR'] }),
    placed_at: timestamp,
  })
  .meta({ title: 'Purchase' });
