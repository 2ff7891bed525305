import * as z from 'zod';
import { cleanText } from '../http/clean-input.js';

const requestRef = cleanText(200)
  .min(1, 'is required')
  .describe('the reference of the erasure request (e.g. a ticket id); no personal data');

export const EraseCustomerBody = z.strictObject({
  request_ref: requestRef,
  suppress_email: z.boolean().optional().describe('also block the email from being used for a new customer (a peppered hash is kept)'),
});

export const EraseByEmailBody = z.strictObject({
  email: cleanText(254).min(1, 'is required'),
  request_ref: requestRef.optional(),
  suppress_email: z.boolean().optional(),
});

export const ErasureRepresentation = z.strictObject({
  customer_id: z.uuid(),
  erased_at: z.iso.datetime(),
  email_suppressed: z.boolean(),
  events_scrubbed: z.int().min(0).describe('stored events of the customer whose personal fields were replaced by "[erased]"'),
  interactions_scrubbed: z.int().min(0).describe('interactions that lost content or the person among their participants'),
});

const records = z.array(z.record(z.string(), z.unknown()));

export const CustomerExportRepresentation = z.strictObject({
  customer: z.record(z.string(), z.unknown()).describe('the profile as stored, with the purchase summary'),
  history: records.describe("the customer's events, oldest first"),
  interactions: records.describe('the interactions linked to the customer or with them as a participant, with their content'),
  deals: records.describe('the deals where the customer is the primary customer or a contact'),
  orders: records.describe('the orders Order Management reported'),
  insights: records.describe('the analytics scores, per currency'),
  exported_at: z.string(),
});
