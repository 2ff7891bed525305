import * as z from 'zod';
import { SIZE_BANDS, type COMPANY_PUBLIC_NAMES } from '../../domain/company/company.js';
import type { CompanyEventType } from '../../domain/company/company.events.js';
import { becomes, change, tagSet as tags, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/** The published contracts of the company stream (`company_id`, `company_version`). */

type PublicFieldName = (typeof COMPANY_PUBLIC_NAMES)[keyof typeof COMPANY_PUBLIC_NAMES];

const domain = z
  .string()
  .regex(/^[a-z0-9.-]+$/)
  .max(253)
  .describe('lower-case host name, internationalised names as punycode');

/** Every public company field, as events carry it (see toCompanyRecord). */
const FIELDS = {
  id: uuid,
  name: z.string().min(1).describe('trimmed, 1-200 characters'),
  domain: domain.nullable(),
  domain_aliases: z.array(domain).max(20),
  industry: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .max(60)
    .nullable(),
  size_band: z.enum(SIZE_BANDS).nullable(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .describe('ISO 3166-1 alpha-2'),
  phone: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/)
    .nullable()
    .describe('E.164'),
  website: z.string().max(2048).nullable(),
  owner_id: uuid.nullable().describe('the sales rep who owns the account (a user id)'),
  tags,
  parent_company_id: uuid.nullable(),
  external_id: z.string().min(1).max(200).nullable(),
  version: z.int().min(1),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
} as const satisfies Record<PublicFieldName, z.ZodType>;

const CompanyRecord = z.strictObject({ ...FIELDS, version: z.literal(1), deleted_at: z.null() });

const detailChanges = z
  .strictObject({
    name: change(FIELDS.name).optional(),
    domain: change(FIELDS.domain).optional(),
    domain_aliases: change(FIELDS.domain_aliases).optional(),
    industry: change(FIELDS.industry).optional(),
    size_band: change(FIELDS.size_band).optional(),
    country: change(FIELDS.country).optional(),
    phone: change(FIELDS.phone).optional(),
    website: change(FIELDS.website).optional(),
    parent_company_id: change(FIELDS.parent_company_id).optional(),
    external_id: change(FIELDS.external_id).optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'at least one field changes');

/** What each event type's `data` holds; a new event type fails to compile until it has a contract. */
export const companyEventContracts = aggregateEventContracts<CompanyEventType>('company', {
  CompanyCreated: {
    version: 1,
    description: 'A company was created. data.company is the whole public record.',
    data: z.strictObject({ company: CompanyRecord }),
  },
  CompanyUpdated: {
    version: 1,
    description: 'Descriptive fields, domains, parent or external id changed; data.changes holds only the fields that changed.',
    data: z.strictObject({ changes: detailChanges }),
  },
  CompanyAssigned: {
    version: 1,
    description: 'The owning sales rep changed (null: no owner).',
    data: z.strictObject({ changes: z.strictObject({ owner_id: change(FIELDS.owner_id) }) }),
  },
  CompanyTagsChanged: {
    version: 1,
    description: 'The tag set was replaced.',
    data: z.strictObject({ changes: z.strictObject({ tags: change(tags) }) }),
  },
  CompanyDeleted: {
    version: 1,
    description: 'The company was soft-deleted: it disappears from every read and its domains and external id are free again.',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }) }),
  },
});
