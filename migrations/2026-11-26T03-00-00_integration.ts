import { sql, type Kysely } from 'kysely';

// Tables for what other contexts tell us: the sales-rep directory (Identity), purchase history
// and per-customer order summary (Order Management), the events already applied (idempotent
// consumers) and the events we could not apply (dead letters). Nullable columns and
// constant defaults are metadata-only changes on a live customers table.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_sales_reps (
      user_id     uuid PRIMARY KEY,
      name        text,
      email       text,
      active      boolean NOT NULL,
      updated_at  timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_purchases (
      order_id     uuid PRIMARY KEY,
      customer_id  uuid NOT NULL REFERENCES customer_mgmt_customers (id),
      state        text NOT NULL CHECK (state IN ('placed', 'completed', 'refunded')),
      total_minor  bigint NOT NULL CHECK (total_minor >= 0),
      currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      placed_at    timestamptz NOT NULL,
      updated_at   timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX idx_purchases_customer ON customer_mgmt_purchases (customer_id, placed_at)`.execute(db);

  await sql`
    ALTER TABLE customer_mgmt_customers
      ADD COLUMN orders_count integer NOT NULL DEFAULT 0,
      ADD COLUMN total_spent jsonb NOT NULL DEFAULT '{}'::jsonb,
      ADD COLUMN first_order_at timestamptz,
      ADD COLUMN last_order_at timestamptz`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_processed_events (
      event_id      text PRIMARY KEY,
      source        text NOT NULL,
      detail_type   text NOT NULL,
      processed_at  timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_dead_letters (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id     text,
      source       text,
      detail_type  text,
      reason       text NOT NULL,
      payload      jsonb NOT NULL,
      received_at  timestamptz NOT NULL
    )`.execute(db);
}
