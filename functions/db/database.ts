import type { ColumnType, Generated, RawBuilder } from 'kysely';

/**
 * Timestamps and jsonb are written as strings (with explicit casts, see sql-values.ts) and read
 * back as whatever the driver gives: Date and parsed JSON from pg, strings from the Data API.
 */
type Timestamp = ColumnType<Date | string, string, string>;
type NullableTimestamp = ColumnType<Date | string | null, string | null, string | null>;
type Jsonb<T> = ColumnType<T | string, string, string>;

export interface CustomersTable {
  id: string;
  user_id: string | null;
  company_id: string | null;
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
  summary_revision: ColumnType<number, number | undefined, number | RawBuilder<number>>;
}

export interface SalesRepsTable {
  user_id: string;
  name: string | null;
  email: string | null;
  active: boolean;
  updated_at: Timestamp;
}

export interface PurchasesTable {
  order_id: string;
  customer_id: string;
  state: string;
  total_minor: ColumnType<number | string, number, number>;
  currency: string;
  placed_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProcessedEventsTable {
  event_id: string;
  source: string;
  detail_type: string;
  processed_at: Timestamp;
}

export interface DeadLettersTable {
  id: Generated<number | string>;
  event_id: string | null;
  source: string | null;
  detail_type: string | null;
  reason: string;
  payload: Jsonb<unknown>;
  received_at: Timestamp;
}

export interface EventsTable {
  position: Generated<string | number>;
  event_id: string;
  customer_id: string;
  customer_version: number;
  event_type: string;
  event_version: number;
  occurred_at: Timestamp;
  actor: string;
  data: Jsonb<Record<string, unknown>>;
  published_at: NullableTimestamp;
  publish_attempts: Generated<number>;
  claimed_until: NullableTimestamp;
  last_error: string | null;
  parked_at: NullableTimestamp;
}

export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  response: Jsonb<Record<string, unknown>> | null;
  created_at: Timestamp;
}

export interface Database {
  customer_mgmt_customers: CustomersTable;
  customer_mgmt_events: EventsTable;
  customer_mgmt_idempotency_keys: IdempotencyKeysTable;
  customer_mgmt_sales_reps: SalesRepsTable;
  customer_mgmt_purchases: PurchasesTable;
  customer_mgmt_processed_events: ProcessedEventsTable;
  customer_mgmt_dead_letters: DeadLettersTable;
}
