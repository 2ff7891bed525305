import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Customer, CustomerStatus, CustomerTier, PatchableField } from '../../domain/customer/customer.js';
import type { CustomerEvent, CustomerEventType } from '../../domain/customer/customer.events.js';
import type { Email } from '../../domain/shared/email.js';
import type { Phone } from '../../domain/shared/phone.js';
import type { Source } from '../../domain/shared/source.js';
import type { Tag } from '../../domain/shared/tags.js';
import type { CustomersTable, EventsTable } from '../db/database.js';
import { fromJsonb, isoText, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';

export const CUSTOMERS = 'customer_mgmt_customers' as const;
export const EVENTS = 'customer_mgmt_events' as const;

export type CustomerRow = Selectable<CustomersTable>;
export type EventRow = Selectable<EventsTable>;

/** The one place that turns a customers row into the aggregate. */
export function rowToCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    userId: row.user_id,
    companyId: row.company_id,
    name: row.name,
    email: row.email as Email,
    phone: row.phone as Phone | null,
    status: row.status as CustomerStatus,
    tier: row.tier as CustomerTier,
    source: row.source as Source,
    assignedTo: row.assigned_to,
    tags: fromJsonb(row.tags) as Tag[],
    version: Number(row.version),
    createdAt: toIsoTimestamp(row.created_at),
    updatedAt: toIsoTimestamp(row.updated_at),
    churnedAt: toNullableIsoTimestamp(row.churned_at),
    deletedAt: toNullableIsoTimestamp(row.deleted_at),
    purchases: {
      ordersCount: Number(row.orders_count),
      // jsonb numbers may arrive as strings through some drivers; totals are whole minor units.
      totalSpent: Object.fromEntries(Object.entries(fromJsonb(row.total_spent)).map(([currency, amount]) => [currency, Number(amount)])),
      firstOrderAt: toNullableIsoTimestamp(row.first_order_at),
      lastOrderAt: toNullableIsoTimestamp(row.last_order_at),
      revision: Number(row.summary_revision),
    },
  };
}

/** Column values for inserting a new customer, every one bound with the type PostgreSQL needs. */
export function customerToInsert(customer: Customer) {
  return {
    id: param.uuid(customer.id),
    user_id: param.nullableUuid(customer.userId),
    company_id: param.nullableUuid(customer.companyId),
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    status: customer.status,
    tier: customer.tier,
    source: customer.source,
    assigned_to: param.nullableUuid(customer.assignedTo),
    tags: param.jsonb(customer.tags),
    version: customer.version,
    created_at: param.timestamptz(customer.createdAt),
    updated_at: param.timestamptz(customer.updatedAt),
    churned_at: param.nullableTimestamptz(customer.churnedAt),
    deleted_at: param.nullableTimestamptz(customer.deletedAt),
  };
}

export function eventToInsert(event: CustomerEvent) {
  return {
    event_id: param.uuid(event.eventId),
    customer_id: param.uuid(event.customerId),
    customer_version: event.customerVersion,
    event_type: event.type,
    event_version: event.eventVersion,
    occurred_at: param.timestamptz(event.occurredAt),
    actor: event.actor,
    data: param.jsonb(event.data),
  };
}

export function rowToEvent(row: EventRow): CustomerEvent {
  return {
    eventId: row.event_id,
    type: row.event_type as CustomerEventType,
    eventVersion: Number(row.event_version),
    customerId: row.customer_id,
    customerVersion: Number(row.customer_version),
    occurredAt: toIsoTimestamp(row.occurred_at),
    actor: row.actor,
    data: fromJsonb(row.data) as CustomerEvent['data'],
  };
}

/**
 * How each patchable field lives in SQL: its column, how a new value is bound, how the column
 * is rendered into event JSON, and when two values count as different (tags are a set).
 */
interface ColumnCodec {
  readonly column: keyof CustomersTable & string;
  bind(value: unknown): RawBuilder<unknown> | string | null;
  toJson(ref: RawBuilder<unknown>): RawBuilder<unknown>;
  differs(current: RawBuilder<unknown>, next: RawBuilder<unknown>): RawBuilder<boolean>;
}

const plain = (column: keyof CustomersTable & string): ColumnCodec => ({
  column,
  bind: (value) => value as string | null,
  toJson: (ref) => sql`to_jsonb(${ref})`,
  differs: (current, next) => sql<boolean>`${current} is distinct from ${next}`,
});
const uuid = (column: keyof CustomersTable & string): ColumnCodec => ({
  ...plain(column),
  bind: (value) => param.nullableUuid(value as string | null),
});
const timestamp = (column: keyof CustomersTable & string): ColumnCodec => ({
  ...plain(column),
  bind: (value) => param.nullableTimestamptz(value as string | null),
  toJson: (ref) => sql`to_jsonb(${isoText(ref)})`,
});

export const PATCH_COLUMNS: Record<PatchableField, ColumnCodec> = {
  name: plain('name'),
  email: plain('email'),
  phone: plain('phone'),
  status: plain('status'),
  tier: plain('tier'),
  source: plain('source'),
  userId: uuid('user_id'),
  companyId: uuid('company_id'),
  assignedTo: uuid('assigned_to'),
  churnedAt: timestamp('churned_at'),
  deletedAt: timestamp('deleted_at'),
  tags: {
    column: 'tags',
    bind: (value) => param.jsonb(value),
    toJson: (ref) => ref,
    differs: (current, next) => sql<boolean>`not (${current} @> ${next} and ${next} @> ${current})`,
  },
};
