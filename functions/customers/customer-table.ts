import { sql, type ColumnType, type RawBuilder, type Selectable } from 'kysely';
import type { Customer, CustomerStatus, CustomerTier, PatchableField } from '../../domain/customer/customer.js';
import type { Email } from '../../domain/shared/email.js';
import type { Phone } from '../../domain/shared/phone.js';
import type { Source } from '../../domain/shared/source.js';
import type { Tag } from '../../domain/shared/tags.js';
import { CUSTOMER_KIND } from '../../domain/customer/customer-change.js';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';
import { fromJsonb, param, toIsoTimestamp, toNullableIsoTimestamp } from '../db/sql-values.js';
import type { AggregateTable } from '../kit/aggregate-table.js';
import { notAnActiveSalesRep } from '../sales-reps/sales-rep-directory.js';
import { jsonbSetColumn, plainColumn, timestampColumn, uuidColumn } from '../kit/column-codecs.js';

export interface CustomersTable {
  id: string;
  user_id: string | null;
  company_id: string | null;
  /** Added by the customer-external-id migration: trimmed, 1-200 characters, unique among live and merged customers. */
  external_id: string | null;
  name: string;
  email: string;
  phone: string | null;
  status: string;
  tier: string;
  source: string;
  assigned_to: string | null;
  tags: Jsonb<string[]>;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  churned_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  orders_count: ColumnType<number, number | undefined, number>;
  total_spent: ColumnType<Record<string, number | string> | string, string | undefined, string>;
  first_order_at: NullableTimestamp;
  last_order_at: NullableTimestamp;
  /** Counts the changes orders made to the purchase summary (they make no customer version). */
  summary_revision: ColumnType<number, number | undefined, number | RawBuilder<number>>;
  /** Kept by the interaction triggers (see the interactions migration), which also count it in summary_revision. */
  last_interaction_at: ColumnType<Date | string | null, never, never>;
  /** Set by the erasure only (functions/privacy); `erased` says whether it is set (a check keeps them equal). */
  erased_at: ColumnType<Date | string | null, never, Date | string | null>;
  erased: ColumnType<boolean, never, boolean>;
}

/** Live customers by tag in creation order, kept by a trigger (migration customer-tag-index): a list by tag walks it. */
export interface CustomerTagsTable {
  tag: string;
  customer_created_at: Timestamp;
  customer_id: string;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_customers: CustomersTable;
    customer_mgmt_customer_tags: CustomerTagsTable;
  }
}

export const CUSTOMERS = 'customer_mgmt_customers' as const;
export const CUSTOMER_TAGS = 'customer_mgmt_customer_tags' as const;

export type CustomerRow = Selectable<CustomersTable>;

/** The one place that turns a customers row into the aggregate. */
export function rowToCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    userId: row.user_id,
    companyId: row.company_id,
    externalId: row.external_id,
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
    lastInteractionAt: toNullableIsoTimestamp(row.last_interaction_at),
    erasedAt: toNullableIsoTimestamp(row.erased_at),
  };
}

/** Column values for inserting a new customer, every one bound with the type PostgreSQL needs. */
export function customerToInsert(customer: Customer) {
  return {
    id: param.uuid(customer.id),
    user_id: param.nullableUuid(customer.userId),
    company_id: param.nullableUuid(customer.companyId),
    external_id: customer.externalId,
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

/** Whether a live customer other than `exceptId` matches (`other` is the alias). */
function otherLiveCustomer(match: RawBuilder<unknown>, exceptId: RawBuilder<unknown> | null): RawBuilder<boolean> {
  const except = exceptId ? sql`and other.id <> ${exceptId}` : sql``;
  return sql<boolean>`exists (select 1 from ${sql.table(CUSTOMERS)} other where other.deleted_at is null and ${match} ${except})`;
}

/** Everything the write kit needs to store customers with their event stream. */
export const CUSTOMER_TABLE: AggregateTable<Customer, PatchableField, CustomerRow> = {
  kind: CUSTOMER_KIND,
  table: CUSTOMERS,
  columns: {
    name: plainColumn('name'),
    email: plainColumn('email'),
    phone: plainColumn('phone'),
    status: plainColumn('status'),
    tier: plainColumn('tier'),
    source: plainColumn('source'),
    userId: uuidColumn('user_id'),
    companyId: uuidColumn('company_id'),
    externalId: plainColumn('external_id'),
    assignedTo: uuidColumn('assigned_to'),
    churnedAt: timestampColumn('churned_at'),
    deletedAt: timestampColumn('deleted_at'),
    tags: jsonbSetColumn('tags'),
  },
  rules: {
    idx_customers_email: 'email',
    // One index over live emails and merged aliases (docs/merge.md): an alias is as taken as an email.
    customer_mgmt_customer_emails_unique: 'email',
    idx_customers_user: 'user_id',
    idx_customers_external_id: 'external_id',
    customer_mgmt_customers_company_live: 'company_live',
  },
  uniqueChecks: {
    email: {
      field: 'email',
      taken: (value, exceptId) =>
        sql<boolean>`(${otherLiveCustomer(sql`lower(other.email) = lower(${value})`, exceptId)} or exists (
          select 1 from customer_mgmt_customer_emails alias where alias.email = lower(${value})
          ${exceptId ? sql`and alias.customer_id <> ${exceptId}` : sql``}))`,
    },
    user_id: { field: 'userId', taken: (value, exceptId) => otherLiveCustomer(sql`other.user_id = ${value}`, exceptId) },
    // Exactly as idx_customers_external_id compares: the stored (trimmed) value, case counts; a merged
    // loser's external id is as taken as a live one (docs/merge.md).
    external_id: {
      field: 'externalId',
      taken: (value, exceptId) =>
        sql<boolean>`exists (select 1 from ${sql.table(CUSTOMERS)} other where other.external_id = ${value}
          and (other.deleted_at is null or other.merged_into is not null) ${exceptId ? sql`and other.id <> ${exceptId}` : sql``})`,
    },
  },
  mergedIntoColumn: 'merged_into',
  // Customers may be assigned only to sales reps Identity has told us are active.
  referenceChecks: { sales_rep: { field: 'assignedTo', missing: notAnActiveSalesRep } },
  // customer_mgmt_customers_b2c_xor_b2b, on the row as a change would leave it
  rowRules: (after, changed) =>
    changed.includes('userId') || changed.includes('companyId')
      ? [sql<boolean>`(${after('userId')} is null or ${after('companyId')} is null)`]
      : [],
  guardColumns: { summaryRevision: plainColumn('summary_revision'), erased: plainColumn('erased') },
  rowToEntity: rowToCustomer,
  entityToInsert: customerToInsert,
};
