import { sql, type Kysely } from 'kysely';

// The table is new, so plain CREATE INDEX is fine here; indexes added to a live table later
// must use CREATE INDEX CONCURRENTLY in a migration of their own.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_customers (
      id          uuid PRIMARY KEY,
      user_id     uuid,
      company_id  uuid,
      name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      email       text NOT NULL CHECK (email = lower(email) AND char_length(email) <= 254),
      phone       text CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
      status      text NOT NULL DEFAULT 'lead' CHECK (status IN ('lead', 'prospect', 'customer', 'churned')),
      tier        text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'basic', 'pro', 'enterprise')),
      source      text NOT NULL DEFAULT 'unknown' CHECK (char_length(source) BETWEEN 1 AND 50),
      assigned_to uuid,
      tags        jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(tags) = 'array'),
      version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL,
      churned_at  timestamptz,
      deleted_at  timestamptz,
      CONSTRAINT customer_mgmt_customers_b2c_xor_b2b CHECK (user_id IS NULL OR company_id IS NULL),
      CONSTRAINT customer_mgmt_customers_churned_at CHECK ((status = 'churned') = (churned_at IS NOT NULL))
    )`.execute(db);

  for (const statement of [
    sql`CREATE UNIQUE INDEX idx_customers_email ON customer_mgmt_customers (lower(email)) WHERE deleted_at IS NULL`,
    sql`CREATE UNIQUE INDEX idx_customers_user ON customer_mgmt_customers (user_id) WHERE deleted_at IS NULL`,
    sql`CREATE INDEX idx_customers_company ON customer_mgmt_customers (company_id) WHERE company_id IS NOT NULL`,
    sql`CREATE INDEX idx_customers_assigned ON customer_mgmt_customers (assigned_to) WHERE assigned_to IS NOT NULL`,
    sql`CREATE INDEX idx_customers_status ON customer_mgmt_customers (status)`,
    sql`CREATE INDEX idx_customers_tier ON customer_mgmt_customers (tier)`,
    sql`CREATE INDEX idx_customers_tags ON customer_mgmt_customers USING gin (tags jsonb_path_ops)`,
    sql`CREATE INDEX idx_customers_created ON customer_mgmt_customers (created_at, id)`,
    sql`CREATE INDEX idx_customers_name ON customer_mgmt_customers (name, id)`,
    sql`CREATE INDEX idx_customers_deleted ON customer_mgmt_customers (deleted_at) WHERE deleted_at IS NOT NULL`,
  ]) {
    await statement.execute(db);
  }

  await sql`
    CREATE TABLE customer_mgmt_events (
      position         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id         uuid NOT NULL UNIQUE,
      customer_id      uuid NOT NULL REFERENCES customer_mgmt_customers (id),
      customer_version integer NOT NULL,
      event_type       text NOT NULL,
      event_version    integer NOT NULL,
      occurred_at      timestamptz NOT NULL,
      actor            text NOT NULL,
      data             jsonb NOT NULL,
      published_at     timestamptz,
      CONSTRAINT customer_mgmt_events_customer_version UNIQUE (customer_id, customer_version)
    )`.execute(db);
  await sql`CREATE INDEX idx_events_unpublished ON customer_mgmt_events (position) WHERE published_at IS NULL`.execute(db);
}
