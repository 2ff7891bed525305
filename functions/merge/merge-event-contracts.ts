import * as z from 'zod';
import { timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/** The event types merges add to the customer stream (docs/merge.md, docs/events.md). */
export const CUSTOMER_MERGE_EVENT_TYPES = ['CustomerMerged', 'CustomerMergedInto', 'CustomerUnmerged'] as const;

/** A personal value in a stored event of an erased customer is replaced by "[erased]" (docs/privacy.md). */
const ERASED = z.literal('[erased]');

const MERGED_FIELDS = ['name', 'phone', 'source', 'assigned_to', 'company_id', 'user_id', 'status', 'churned_at', 'tier', 'tags'] as const;
const fieldName = z.enum(MERGED_FIELDS);

const moved = z
  .strictObject({
    orders: z.int().min(0),
    interactions: z.int().min(0),
    deals: z.int().min(0),
  })
  .describe('how many records of each kind moved to the survivor');

export const customerMergeEventContracts = aggregateEventContracts<(typeof CUSTOMER_MERGE_EVENT_TYPES)[number]>('customer', {
  CustomerMerged: {
    version: 1,
    description:
      'Duplicates were merged into this customer (the survivor): their orders, interactions, deal roles and emails (now aliases) ' +
      'moved here; changes holds the survivor fields that changed, field_sources which record each merged field came from.',
    data: z.strictObject({
      merge_id: uuid.describe('the merge, for POST /customers/{id}/unmerge'),
      merged_ids: z.array(uuid).min(1).max(9),
      changes: z.partialRecord(fieldName, z.strictObject({ from: z.unknown(), to: z.unknown() })),
      field_sources: z.partialRecord(fieldName, z.union([uuid, ERASED])),
      aliases: z.union([z.array(z.string().min(3).max(254)), ERASED]).describe("the losers' emails, now the survivor's aliases"),
      moved,
      undo_until: timestamp,
    }),
  },
  CustomerMergedInto: {
    version: 1,
    description:
      'This customer was merged into another (merged_into) and is gone from every read (404 CUSTOMER.MERGED); ' +
      'later references to it apply to the survivor.',
    data: z.strictObject({ merge_id: uuid, merged_into: uuid, undo_until: timestamp }),
  },
  CustomerUnmerged: {
    version: 1,
    description:
      'A merge was undone for one loser (restored_id), on both streams: the loser is back and what the merge moved from it moved back.',
    data: z.strictObject({
      merge_id: uuid,
      survivor_id: uuid,
      restored_id: uuid,
      moved_back: moved.describe('how many records of each kind moved back to the restored customer'),
    }),
  },
});

/** The event types merges add to the company stream (docs/merge.md, docs/events.md). */
export const COMPANY_MERGE_EVENT_TYPES = ['CompanyMerged', 'CompanyMergedInto', 'CompanyUnmerged'] as const;

const MERGED_COMPANY_FIELDS = [
  'name',
  'industry',
  'size_band',
  'country',
  'phone',
  'website',
  'owner_id',
  'domain_aliases',
  'tags',
] as const;
const companyFieldName = z.enum(MERGED_COMPANY_FIELDS);

export const companyMergeEventContracts = aggregateEventContracts<(typeof COMPANY_MERGE_EVENT_TYPES)[number]>('company', {
  CompanyMerged: {
    version: 1,
    description:
      'Duplicate companies were merged into this one (the survivor): their contacts, deals, interactions and subsidiaries moved here ' +
      'and their domains became its aliases; changes holds the survivor fields that changed, field_sources which company each merged field came from.',
    data: z.strictObject({
      merge_id: uuid.describe('the merge'),
      merged_ids: z.array(uuid).min(1).max(9),
      changes: z.partialRecord(companyFieldName, z.strictObject({ from: z.unknown(), to: z.unknown() })),
      field_sources: z.partialRecord(companyFieldName, uuid),
      domains: z.array(z.string().min(1).max(253)).describe("the losers' domains and aliases, now the survivor's aliases"),
      moved: z
        .strictObject({
          contacts: z.int().min(0),
          deals: z.int().min(0),
          interactions: z.int().min(0),
          subsidiaries: z.int().min(0),
        })
        .describe('how many records of each kind moved to the survivor'),
      undo_until: timestamp,
    }),
  },
  CompanyMergedInto: {
    version: 1,
    description:
      'This company was merged into another (merged_into) and is gone from every read (404 COMPANY.MERGED); its domains are the survivor’s aliases.',
    data: z.strictObject({ merge_id: uuid, merged_into: uuid, undo_until: timestamp }),
  },
  CompanyUnmerged: {
    version: 1,
    description:
      'A company merge was undone for one loser (restored_id), on both streams: the loser is back with its domains and what the merge moved from it moved back.',
    data: z.strictObject({
      merge_id: uuid,
      survivor_id: uuid,
      restored_id: uuid,
      moved_back: z
        .strictObject({ contacts: z.int().min(0), deals: z.int().min(0), interactions: z.int().min(0), subsidiaries: z.int().min(0) })
        .describe('how many records of each kind moved back to the restored company'),
    }),
  },
});
