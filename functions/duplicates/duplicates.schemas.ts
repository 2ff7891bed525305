import * as z from 'zod';
import { CUSTOMER_STATUSES } from '../../domain/customer/customer.js';
import { cleanText, pageCursor } from '../http/clean-input.js';
import { pageLimit, single, MAX_PAGE_SIZE } from '../http/query-parameters.js';
import { COMPANY_DUPLICATE_RULES, CUSTOMER_DUPLICATE_RULES } from './duplicate-scores.js';

/** `after`: the next_cursor of the previous page, a (score, id) position; scores have three decimals. */
const CandidateCursor = pageCursor(z.strictObject({ score: z.string().regex(/^(0(\.\d{1,3})?|1(\.0{1,3})?)$/), id: z.uuid() }));

export const DuplicatesQuery = z.strictObject({
  limit: pageLimit,
  after: single(CandidateCursor).optional().meta({ description: 'next_cursor of the previous page' }),
});

export const DuplicateSearchBody = z
  .strictObject({
    email: cleanText(254).optional(),
    phone: cleanText(40).optional(),
    name: cleanText(400).optional(),
    company_id: z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' }).optional(),
    limit: z
      .int({ error: 'must be a whole number' })
      .min(1, 'must be at least 1')
      .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
      .default(20),
    after: CandidateCursor.optional().meta({ description: 'next_cursor of the previous page' }),
  })
  .meta({ description: 'At least one of email, phone and name; company_id only raises a phone or name match.' });

const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const score = z
  .number()
  .min(0)
  .max(1)
  .meta({ description: 'from 0 to 1, three decimals; see docs/duplicates.md', examples: [0.508] });
const similarity = z
  .number()
  .min(0)
  .max(1)
  .meta({ description: 'pg_trgm similarity of the names (0 when no name was compared)', examples: [0.615] });

export const CustomerCandidateRepresentation = z
  .strictObject({
    customer: z.strictObject({
      id: z.uuid(),
      name: z.string(),
      email: z.string(),
      phone: z.string().nullable(),
      company_id: z.uuid().nullable(),
      assigned_to: z.uuid().nullable(),
      status: z.enum(CUSTOMER_STATUSES),
      created_at: timestamp,
    }),
    score,
    rules: z.array(z.enum(CUSTOMER_DUPLICATE_RULES)).min(1),
    name_similarity: similarity,
  })
  .meta({ title: 'CustomerDuplicateCandidate' });

export const CompanyCandidateRepresentation = z
  .strictObject({
    company: z.strictObject({
      id: z.uuid(),
      name: z.string(),
      domain: z.string().nullable(),
      domain_aliases: z.array(z.string()),
      website: z.string().nullable(),
      country: z.string().nullable(),
      owner_id: z.uuid().nullable(),
      created_at: timestamp,
    }),
    score,
    rules: z.array(z.enum(COMPANY_DUPLICATE_RULES)).min(1),
    name_similarity: similarity,
  })
  .meta({ title: 'CompanyDuplicateCandidate' });

/** The 201 of POST /customers may carry this: the new customer's possible duplicates (phone or name). */
export const CreateWarnings = z
  .array(
    z.strictObject({
      code: z.literal('POSSIBLE_DUPLICATE'),
      message: z.string(),
      candidates: z.array(CustomerCandidateRepresentation).min(1),
    }),
  )
  .meta({ title: 'Warnings', description: 'Not errors: the request succeeded. See docs/duplicates.md.' });
