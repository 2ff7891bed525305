import * as z from 'zod';
import { CompanyRepresentation } from '../companies/company.schemas.js';
import { CustomerRepresentation } from '../customers/customer.schemas.js';

const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });

/** Which record a merged field is taken from (the survivor or one of merge_ids); otherwise blanks fill from the most recently updated loser. */
const CustomerFieldChoices = z.strictObject({
  name: uuid.optional(),
  phone: uuid.optional(),
  source: uuid.optional(),
  assigned_to: uuid.optional(),
  company_id: uuid.optional(),
});

export const MergeCustomersBody = z.strictObject({
  merge_ids: z.array(uuid, { error: 'must be an array of customer ids' }).min(1, 'name 1 to 9 customers').max(9, 'name 1 to 9 customers'),
  field_choices: CustomerFieldChoices.optional(),
  dry_run: z.boolean().optional().describe('answer what the merge would do, without writing anything'),
});

export const UnmergeCustomerBody = z.strictObject({
  customer_id: uuid.describe('the merged customer to restore'),
});

const moved = z.strictObject({ orders: z.int().min(0), interactions: z.int().min(0), deals: z.int().min(0) });

export const CustomerMergeRepresentation = z.strictObject({
  customer: CustomerRepresentation.describe('the survivor as the merge leaves it (dry run: would leave it)'),
  merge_id: z.uuid().nullable().describe('the merge, for unmerge; null in a dry run'),
  merged_ids: z.array(z.uuid()),
  field_sources: z.record(z.string(), z.uuid()).describe('for each merged field, the record its value came from'),
  aliases: z.array(z.string()).describe("the losers' emails, now the survivor's aliases"),
  moved: moved.describe('records moved to the survivor (dry run: that would move)'),
  undo_until: z.string().nullable().describe('until when POST /customers/{id}/unmerge can undo it; null in a dry run'),
  dry_run: z.boolean(),
});

export const CustomerUnmergeRepresentation = z.strictObject({
  customer: CustomerRepresentation.describe('the survivor after the unmerge'),
  restored: CustomerRepresentation.describe('the customer given back'),
  merge_id: z.uuid(),
  moved_back: moved,
});

/** Which company a merged field is taken from (the survivor or one of merge_ids); otherwise blanks fill from the most recently updated loser. */
const CompanyFieldChoices = z.strictObject({
  name: uuid.optional(),
  industry: uuid.optional(),
  size_band: uuid.optional(),
  country: uuid.optional(),
  phone: uuid.optional(),
  website: uuid.optional(),
  owner_id: uuid.optional(),
});

export const MergeCompaniesBody = z.strictObject({
  merge_ids: z.array(uuid, { error: 'must be an array of company ids' }).min(1, 'name 1 to 9 companies').max(9, 'name 1 to 9 companies'),
  field_choices: CompanyFieldChoices.optional(),
  dry_run: z.boolean().optional().describe('answer what the merge would do, without writing anything'),
});

const companyMoved = z.strictObject({
  contacts: z.int().min(0),
  deals: z.int().min(0),
  interactions: z.int().min(0),
  subsidiaries: z.int().min(0),
});

export const CompanyMergeRepresentation = z.strictObject({
  company: CompanyRepresentation.describe('the survivor as the merge leaves it (dry run: would leave it)'),
  merge_id: z.uuid().nullable().describe('the merge, for unmerge; null in a dry run'),
  merged_ids: z.array(z.uuid()),
  field_sources: z.record(z.string(), z.uuid()).describe('for each merged field, the company its value came from'),
  domains: z.array(z.string()).describe("the losers' domains and aliases, now the survivor's aliases"),
  moved: companyMoved.describe('records moved to the survivor (dry run: that would move)'),
  undo_until: z.string().nullable().describe('until when POST /companies/{id}/unmerge can undo it; null in a dry run'),
  dry_run: z.boolean(),
});

export const UnmergeCompanyBody = z.strictObject({
  company_id: uuid.describe('the merged company to restore'),
});

export const CompanyUnmergeRepresentation = z.strictObject({
  company: CompanyRepresentation.describe('the survivor after the unmerge'),
  restored: CompanyRepresentation.describe('the company given back'),
  merge_id: z.uuid(),
  moved_back: companyMoved,
});
