import * as z from 'zod';
import { CUSTOMER_STATUSES, CUSTOMER_TIERS, type PUBLIC_FIELD_NAMES } from '../../domain/customer/customer.js';
import type { CustomerEventType } from '../../domain/customer/customer.events.js';
import { LIFECYCLE, type LifecycleCommand } from '../../domain/customer/customer-lifecycle.js';
import { MAX_TAGS } from '../../domain/shared/tags.js';

/**
 * The published contract of every event: one zod schema per event type and version for the
 * EventBridge Detail, checked before anything is sent and exported as JSON Schema
 * (functions/events/schemas/, `npm run events:schemas`) for consumers.
 */

const uuid = z.uuid();
const timestamp = z.iso.datetime().describe('ISO-8601 UTC date-time, e.g. 2026-11-26T10:00:00.000Z');
const tier = z.enum(CUSTOMER_TIERS);
const tags = z
  .array(z.string().regex(/^[a-z0-9:_-]{1,50}$/))
  .max(MAX_TAGS)
  .describe('a tag set: lower-case, unique, order of first appearance');

type PublicFieldName = (typeof PUBLIC_FIELD_NAMES)[keyof typeof PUBLIC_FIELD_NAMES];

/** Every public customer field, as events carry it (see toCustomerRecord). */
const FIELDS = {
  id: uuid,
  name: z.string().min(1).describe('trimmed, 1-200 characters'),
  email: z.string().min(3).max(254).describe('lower-case'),
  phone: z
    .string()
    .regex(/^\+[1-9][0-9]{6,14}$/)
    .nullable()
    .describe('E.164'),
  status: z.enum(CUSTOMER_STATUSES),
  tier,
  source: z
    .string()
    .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/)
    .max(50),
  assigned_to: uuid.nullable().describe('the sales rep (a user id)'),
  tags,
  user_id: uuid.nullable().describe('the linked user account (B2C); excludes company_id'),
  company_id: uuid.nullable().describe('the company (B2B); excludes user_id'),
  version: z.int().min(1),
  churned_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
} as const satisfies Record<PublicFieldName, z.ZodType>;

const CustomerRecord = z.strictObject({ ...FIELDS, status: z.literal('lead'), version: z.literal(1) });

/** `{ from, to }` of one changed field. */
const change = <T extends z.ZodType>(value: T) => z.strictObject({ from: value, to: value });
const becomes = <F extends z.ZodType, T extends z.ZodType>(from: F, to: T) => z.strictObject({ from, to });

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
  })
  .refine((changes) => Object.keys(changes).length > 0, 'at least one field changes');

/** What each event type's `data` holds; a new event type fails to compile until it has a contract. */
const DATA: Record<CustomerEventType, { readonly version: number; readonly description: string; readonly data: z.ZodType }> = {
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
    data: z.strictObject({ changes: z.strictObject({ tags: change(tags) }) }),
  },
  CustomerDeleted: {
    version: 1,
    description: 'The customer was soft-deleted: it disappears from every read and its email is free again.',
    data: z.strictObject({ changes: z.strictObject({ deleted_at: becomes(z.null(), timestamp) }) }),
  },
};

/** `CustomerConverted.v1`: the key of a contract and the name of its schema file. */
export function contractKey(type: string, version: number): string {
  return `${type}.v${version}`;
}

/** The Detail of an event on the bus, identical for every type; `data` differs per type and version. */
function envelope(type: CustomerEventType, version: number, description: string, data: z.ZodType) {
  return z
    .strictObject({
      event_id: uuid.describe('our id of the event: deduplicate on it (the EventBridge id changes on every retry)'),
      event_type: z.literal(type),
      event_version: z.literal(version),
      occurred_at: timestamp,
      customer_id: uuid,
      customer_version: z.int().min(1).describe("the customer's version after this change: orders the events of one customer"),
      actor: z.string().min(1).describe('who made the change (the subject of their token)'),
      data,
    })
    .meta({ title: contractKey(type, version), description });
}

export type EventContract = ReturnType<typeof envelope>;

/** Every contract, keyed `<EventType>.v<version>`. */
export const EVENT_CONTRACTS: Readonly<Record<string, EventContract>> = Object.freeze(
  Object.fromEntries(
    (Object.entries(DATA) as [CustomerEventType, (typeof DATA)[CustomerEventType]][]).map(([type, { version, description, data }]) => [
      contractKey(type, version),
      envelope(type, version, description, data),
    ]),
  ),
);

export function contractFor(type: string, version: number): EventContract | undefined {
  return EVENT_CONTRACTS[contractKey(type, version)];
}

/** The JSON Schema a consumer generates types from, exactly as written to schemas/<key>.json. */
export function jsonSchemaOf(contract: EventContract): Record<string, unknown> {
  return z.toJSONSchema(contract, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
