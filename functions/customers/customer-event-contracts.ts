import * as z from 'zod';
import { CUSTOMER_STATUSES, CUSTOMER_TIERS, type PUBLIC_FIELD_NAMES } from '../../domain/customer/customer.js';
import type { CustomerEventType } from '../../domain/customer/customer.events.js';
import { LIFECYCLE, type LifecycleCommand } from '../../domain/customer/customer-lifecycle.js';
import { becomes, change, tagSet as tags, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

/** The published contracts of the customer stream (`customer_id`, `customer_version`). */

const tier = z.enum(CUSTOMER_TIERS);
type PublicFieldName = (typeof PUBLIC_FIELD_NAMES)[keyof typeof PUBLIC_FIELD_NAMES];

/** A personal value in a stored event of an erased customer is replaced by "[erased]" (docs/privacy.md). */
const ERASED = z.literal('[erased]');
const erasable = <T extends z.ZodType>(value: T) => z.union([value, ERASED]);

/** Every public customer field, as events carry it (see toCustomerRecord). */
const FIELDS = {
  id: uuid,
  name: z.string().min(1).describe('trimmed, 1-200 characters; "[erased]" once the person is erased'),
  email: z.string().min(3).max(254).describe('lower-case; "[erased]" once the person is erased'),
  phone: erasable(
    z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/)
      .describe('E.164'),
  ).nullable(),
  status: z.enum(CUSTOMER_STATUSES),
  tier,
  source: z
    .string()
    .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/)
    .max(50),
  assigned_to: uuid.nullable().describe('the sales rep (a user id)'),
  tags: erasable(tags),
  user_id: erasable(uuid).nullable().describe('the linked user account (B2C); excludes company_id'),
  company_id: uuid.nullable().describe('the company (B2B); excludes user_id'),
  external_id: erasable(z.string().min(1).max(200))
    .nullable()
    .describe('another system\'s id for the person (trimmed, case counts); "[erased]" once the person is erased'),
  version: z.int().min(1),
  churned_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
} as const satisfies Record<PublicFieldName, z.ZodType>;

// external_id was added to v1 as an optional field: present only when the new customer has one.
const CustomerRecord = z.strictObject({
  ...FIELDS,
  external_id: FIELDS.external_id.unwrap().optional(),
  status: z.literal('lead'),
  version: z.literal(1),
});

function transitionChanges(command: LifecycleCommand) {
  const step = LIFECYCLE[command];
  const status = becomes(z.literal(step.from), z.literal(step.to));
  if (step.to === 'churned') return z.strictObject({ status, churned_at: becomes(z.null(), timestamp) });
  if (step.from === 'churned') return z.strictObject({ status, churned_at: becomes(timestamp, z.null()) });
  return z.strictObject({ status });
}

const detailChanges = z
  .strictObject({
    name: change(FIELDS.name).optional(),
    email: change(FIELDS.email).optional(),
    phone: change(FIELDS.phone).optional(),
    source: change(FIELDS.source).optional(),
    user_id: change(FIELDS.user_id).optional(),
    company_id: change(FIELDS.company_id).optional(),
    external_id: change(FIELDS.external_id).optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'at least one field changes');

/** What each event type's `data` holds; a new event type fails to compile until it has a contract. */
export const customerEventContracts = aggregateEventContracts<CustomerEventType>('customer', {
  CustomerCreated: {
    version: 1,
    description: 'A customer was created (as a lead). data.customer is the whole public record.',
    data: z.strictObject({ customer: CustomerRecord }),
  },
  CustomerUpdated: {
    version: 1,
    description: 'Contact or account fields changed; data.changes holds only the fields that changed.',
    data: z.strictObject({ changes: detailChanges }),
  },
  CustomerQualified: {
    version: 1,
    description: 'A lead was qualified: lead → prospect.',
    data: z.strictObject({ changes: transitionChanges('qualify') }),
  },
  CustomerConverted: {
    version: 1,
    description: 'A prospect became a customer: prospect → customer.',
    data: z.strictObject({ changes: transitionChanges('convert') }),
  },
  CustomerChurned: {
    version: 1,
    description: 'A customer churned: customer → churned, with churned_at set and an optional reason.',
    data: z.strictObject({ changes: transitionChanges('churn'), reason: z.string().max(500).optional() }),
  },
  CustomerReactivated: {
    version: 1,
    description: 'A churned customer was won back: churned → prospect, churned_at cleared.',
    data: z.strictObject({ changes: transitionChanges('reactivate') }),
  },
  CustomerAssigned: {
    version: 1,
    description: 'The assigned sales rep changed (null: unassigned).',
    data: z.strictObject({ changes: z.strictObject({ assigned_to: change(FIELDS.assigned_to) }) }),
  },
  CustomerTierChanged: {
    version: 1,
    description: 'The tier changed.',
    data: z.strictObject({ changes: z.strictObject({ tier: change(tier) }) }),
  },
  CustomerTagsChanged: {
    version: 1,
    description: 'The tag set was replaced.',
    data: z.strictObject({ changes: z.strictObject({ tags: change(FIELDS.tags) }) }),
  },
  CustomerDeleted: {
    version: 1,
    description: 'The customer was soft-deleted: it disappears from every read and its email is free again.',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }) }),
  },
  CustomerErased: {
    version: 1,
    description:
      "The person's data was erased on request (GDPR Art. 17): erase your copies of their personal data. Carries no personal data; " +
      'orders and other facts stay. The record is frozen from now on.',
    data: z.strictObject({
      request_ref: z.string().min(1).max(200).describe('the reference of the erasure request'),
      email_suppressed: z.boolean().describe('whether the email may not be used for a new customer again'),
      erased_at: timestamp,
    }),
  },
});
