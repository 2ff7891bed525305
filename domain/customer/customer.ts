import type { Email } from '../shared/email.js';
import type { JsonObject } from '../shared/json.js';
import type { Phone } from '../shared/phone.js';
import type { Source } from '../shared/source.js';
import type { Tag } from '../shared/tags.js';
import type { PurchaseSummary } from '../purchase/purchase.js';

export const CUSTOMER_STATUSES = ['lead', 'prospect', 'customer', 'churned'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const CUSTOMER_TIERS = ['free', 'basic', 'pro', 'enterprise'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

export type { Timestamp } from '../shared/timestamp.js';
import type { Timestamp } from '../shared/timestamp.js';

/** The Customer aggregate: one person (B2C, optionally linked to a user) or one company contact (B2B). */
export interface Customer {
  readonly id: string;
  readonly userId: string | null;
  readonly companyId: string | null;
  /** Another system's id for the person (a shop account, a CRM import); unique among live customers, compared exactly. */
  readonly externalId: string | null;
  readonly name: string;
  readonly email: Email;
  readonly phone: Phone | null;
  readonly status: CustomerStatus;
  readonly tier: CustomerTier;
  readonly source: Source;
  readonly assignedTo: string | null;
  readonly tags: readonly Tag[];
  readonly version: number;
  readonly createdAt: Timestamp;
  readonly updatedAt: Timestamp;
  readonly churnedAt: Timestamp | null;
  readonly deletedAt: Timestamp | null;
  /** What the customer's orders add up to, kept up to date from Order Management's events. */
  readonly purchases: PurchaseSummary;
  /** When the latest interaction linked to the customer took place; kept by the database as interactions are logged. */
  readonly lastInteractionAt: Timestamp | null;
  /** When the person's data was erased (GDPR Art. 17); an erased customer is frozen: every change is refused. */
  readonly erasedAt: Timestamp | null;
}

/** The fields a change may set; id, version, the stamps and the purchase summary are managed elsewhere. */
export type CustomerPatch = Partial<
  Omit<Customer, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'purchases' | 'lastInteractionAt' | 'erasedAt'>
>;
export type PatchableField = keyof CustomerPatch;

/** The public (API and event) name of every field, in the order records are shown. */
export const PUBLIC_FIELD_NAMES = {
  id: 'id',
  name: 'name',
  email: 'email',
  phone: 'phone',
  status: 'status',
  tier: 'tier',
  source: 'source',
  assignedTo: 'assigned_to',
  tags: 'tags',
  userId: 'user_id',
  companyId: 'company_id',
  externalId: 'external_id',
  version: 'version',
  churnedAt: 'churned_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  deletedAt: 'deleted_at',
} as const satisfies Record<Exclude<keyof Customer, 'purchases' | 'lastInteractionAt' | 'erasedAt'>, string>;

/** The customer's own fields by public name: not the order summary nor the last interaction. */
export function toCustomerRecord(customer: Customer): JsonObject {
  const record: Record<string, JsonObject[string]> = {};
  for (const [field, publicName] of Object.entries(PUBLIC_FIELD_NAMES)) {
    record[publicName] = customer[field as keyof typeof PUBLIC_FIELD_NAMES];
  }
  return record;
}

/**
 * The customer as CustomerCreated v1 carries it: external_id came after v1 was published, so it is
 * an optional field there, present only when set (a customer without one is the same bytes as before).
 */
export function toCustomerEventRecord(customer: Customer): JsonObject {
  const { external_id: externalId = null, ...record } = toCustomerRecord(customer);
  return externalId === null ? record : { ...record, external_id: externalId };
}

/** B2C (optional user account) and B2B (company contact) are exclusive. */
export function isAccountTypeConsistent(customer: Pick<Customer, 'userId' | 'companyId'>): boolean {
  return customer.userId === null || customer.companyId === null;
}
