import * as z from 'zod';
import { SIZE_BANDS } from '../../domain/company/company.js';
import { COMPANY_SORT_ORDERS } from '../../domain/company/company-repository.js';
import { MAX_TAGS } from '../../domain/shared/tags.js';
import { cleanText, isoTimestamp } from '../http/clean-input.js';
import { afterId, pageLimit, single } from '../http/query-parameters.js';
import { ListCustomersQuery } from '../customers/customer.schemas.js';
import { CustomerCursor } from '../customers/page-cursor.js';

// Shape and size here, meaning (domain normalisation, country codes, phone numbers, tags) in the
// domain. Caps are generous on input: a URL is accepted where a domain is expected.
const text = (max: number) => cleanText(max);
const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const sizeBand = z.enum(SIZE_BANDS, { error: `must be one of ${SIZE_BANDS.join(', ')}` });
const tagList = z.array(text(200), { error: 'must be an array of strings' }).max(MAX_TAGS * 2, `must list at most ${MAX_TAGS} tags`);
const aliasList = z.array(text(2048), { error: 'must be an array of strings' }).max(40, 'must list at most 20 aliases');
const flag = single(z.enum(['true', 'false'], { error: 'must be true or false' })).transform((value) => value === 'true');

export const CompanyIdParams = z.object({ id: uuid });
export const DomainParams = z.object({ domain: text(2048).min(1, 'is required') });

const details = {
  domain: text(2048).nullable().optional(),
  domain_aliases: aliasList.optional(),
  industry: text(100).nullable().optional(),
  size_band: sizeBand.nullable().optional(),
  country: text(10).nullable().optional(),
  phone: text(40).nullable().optional(),
  website: text(2048).nullable().optional(),
  parent_company_id: uuid.nullable().optional(),
  external_id: text(400).nullable().optional(),
};

export const CreateCompanyBody = z.strictObject({
  name: text(400),
  ...details,
  owner_id: uuid.nullable().optional(),
  tags: tagList.optional(),
});

export const UpdateCompanyBody = z.strictObject({ name: text(400).optional(), ...details });
export const AssignCompanyBody = z.strictObject({ owner_id: uuid.nullable() });
export const CompanyTagsBody = z.strictObject({ tags: tagList });
export const DeleteCompanyQuery = z.strictObject({ detach_contacts: flag.optional() });

const isoDate = isoTimestamp({ allowDate: true });
const sort = single(z.enum(COMPANY_SORT_ORDERS, { error: `must be one of ${COMPANY_SORT_ORDERS.join(', ')}` })).default('-created_at');
const tagFilters = {
  tag: z
    .union([text(50), z.array(text(50)).max(MAX_TAGS, `give at most ${MAX_TAGS} tag parameters`)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional(),
  tags_all: single(text(2600))
    .transform((value) => value.split(','))
    .optional(),
};

export const ListCompaniesQuery = z.strictObject({
  q: single(text(200).min(1, 'must not be empty')).optional(),
  domain: single(text(2048)).optional(),
  owner_id: single(uuid).optional(),
  industry: single(text(100)).optional(),
  size_band: single(sizeBand).optional(),
  country: single(text(10)).optional(),
  ...tagFilters,
  parent_company_id: single(uuid).optional(),
  created_from: single(isoDate).optional(),
  created_to: single(isoDate).optional(),
  sort,
  limit: pageLimit,
  // The same cursor as the customer list: the sort orders and keys are the same.
  cursor: single(CustomerCursor).optional(),
});
export type ListCompaniesQuery = z.infer<typeof ListCompaniesQuery>;

export const SubsidiariesQuery = z.strictObject({
  depth: single(z.enum(['1', 'all'], { error: 'must be 1 (direct subsidiaries) or all (the whole tree)' })).default('1'),
  sort,
  limit: pageLimit,
  cursor: single(CustomerCursor).optional(),
});

/** The contacts of a company are read with the customer list's filters (company_id is the path's). */
export const CompanyContactsQuery = ListCustomersQuery.omit({ company_id: true });

export const SummaryQuery = z.strictObject({ include_subsidiaries: flag.optional() });
export const CompanyHistoryQuery = z.strictObject({
  after: afterId("event_id of one of this company's events").optional(),
  limit: pageLimit,
});

// Representations: what the API answers, documented in OpenAPI and checked against real responses.
const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const nullableUuid = z.uuid().nullable();

export const CompanyRepresentation = z
  .strictObject({
    id: z.uuid(),
    name: z.string().meta({ examples: ['Acme Ltd'] }),
    domain: z
      .string()
      .nullable()
      .meta({ examples: ['acme.example'] }),
    domain_aliases: z.array(z.string().meta({ examples: ['acme.co.uk'] })),
    industry: z
      .string()
      .nullable()
      .meta({ examples: ['software'] }),
    size_band: sizeBand.nullable(),
    country: z
      .string()
      .nullable()
      .meta({ examples: ['GB'] }),
    phone: z
      .string()
      .nullable()
      .meta({ examples: ['+442079460958'] }),
    website: z
      .string()
      .nullable()
      .meta({ examples: ['https://www.acme.example/'] }),
    owner_id: nullableUuid,
    tags: z.array(z.string().meta({ examples: ['enterprise'] })),
    parent_company_id: nullableUuid,
    external_id: z
      .string()
      .nullable()
      .meta({ examples: ['sf-0012345'] }),
    version: z.int().min(1),
    created_at: timestamp,
    updated_at: timestamp,
    last_interaction_at: timestamp.nullable().meta({
      description: 'when the latest interaction linked to the company took place (meetings that did not take place do not count)',
    }),
  })
  .meta({ title: 'Company' });

const counts = z.strictObject({
  companies: z.int().min(1).meta({ description: 'the company, plus its live subsidiaries when included' }),
  contacts: z.int().min(0),
  contacts_by_status: z.record(z.string(), z.int().min(0)).meta({ examples: [{ lead: 3, customer: 2 }] }),
  purchases: z.array(
    z.strictObject({
      currency: z
        .string()
        .length(3)
        .meta({ examples: ['EUR'] }),
      orders: z.int().min(1),
      total_minor: z.int().meta({ description: 'in minor units; refunded orders are not counted' }),
      first_order_at: timestamp,
      last_order_at: timestamp,
    }),
  ),
  deals: z
    .array(
      z.strictObject({
        currency: z
          .string()
          .length(3)
          .meta({ examples: ['EUR'] }),
        open_count: z.int().min(0),
        open_amount_minor: z.int().min(0).meta({ description: 'open deals without an amount count as 0' }),
        weighted_amount_minor: z
          .int()
          .min(0)
          .meta({ description: "each open deal's amount × its current stage's probability, rounded to the minor unit" }),
        won_count: z.int().min(0).meta({ description: 'won in the last 365 days' }),
        won_amount_minor: z.int().min(0),
        lost_count: z.int().min(0).meta({ description: 'lost in the last 365 days' }),
        lost_amount_minor: z.int().min(0),
      }),
    )
    .meta({ description: 'live deals of the company (or the tree), per currency; never summed across currencies' }),
});

export const CompanySummaryRepresentation = z
  .strictObject({ company_id: z.uuid(), include_subsidiaries: z.boolean(), ...counts.shape })
  .meta({ title: 'CompanySummary' });
