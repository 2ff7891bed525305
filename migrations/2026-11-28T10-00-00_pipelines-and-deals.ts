import { sql, type Kysely } from 'kysely';

// Default pipeline: the same definition as domain/pipeline/pipeline.ts DEFAULT_PIPELINE, written
// out here because a migration must not change when the domain's default changes later.
const DEFAULT_PIPELINE_ID = '00000000-0000-7000-8000-000000000001';
const DEFAULT_STAGES = [
  { key: 'qualification', label: 'Qualification', kind: 'open', probability: 0.1, forecast_category: 'pipeline' },
  { key: 'needs_analysis', label: 'Needs analysis', kind: 'open', probability: 0.25, forecast_category: 'pipeline' },
  { key: 'proposal', label: 'Proposal', kind: 'open', probability: 0.5, forecast_category: 'best_case' },
  { key: 'negotiation', label: 'Negotiation', kind: 'open', probability: 0.8, forecast_category: 'commit' },
  { key: 'won', label: 'Closed won', kind: 'won', probability: 1, forecast_category: 'closed' },
  { key: 'lost', label: 'Closed lost', kind: 'lost', probability: 0, forecast_category: 'omitted' },
];
const DEFAULT_LOST_REASONS = ['price', 'competitor', 'no_budget', 'no_decision', 'timing', 'product_fit', 'other'];

/**
 * Pipelines and deals (new tables only). Which stages exist is kept in a side table by a
 * trigger, so that the database itself guarantees, under concurrency, that a live deal is
 * always in an active stage of its pipeline: a deal write takes a share lock on its stage row,
 * and a pipeline change that removes a stage (or deletes the pipeline) updates that row, so one
 * of two racing writers waits for the other and then sees its result.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_pipelines (
      id           uuid PRIMARY KEY,
      name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      stages       jsonb NOT NULL CHECK (jsonb_typeof(stages) = 'array' AND jsonb_array_length(stages) BETWEEN 3 AND 30),
      lost_reasons jsonb NOT NULL CHECK (jsonb_typeof(lost_reasons) = 'array'),
      version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at   timestamptz NOT NULL,
      updated_at   timestamptz NOT NULL,
      deleted_at   timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_pipeline_stages (
      pipeline_id uuid NOT NULL REFERENCES customer_mgmt_pipelines (id),
      key         text NOT NULL,
      active      boolean NOT NULL,
      PRIMARY KEY (pipeline_id, key)
    )`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_deals (
      id                         uuid PRIMARY KEY,
      name                       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      pipeline_id                uuid NOT NULL REFERENCES customer_mgmt_pipelines (id),
      stage                      text NOT NULL,
      status                     text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
      amount_minor               bigint CHECK (amount_minor >= 0),
      currency                   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      expected_close_date        date,
      closed_at                  timestamptz,
      lost                       jsonb,
      lost_reason                text GENERATED ALWAYS AS (lost ->> 'reason') STORED,
      company_id                 uuid,
      primary_customer_id        uuid REFERENCES customer_mgmt_customers (id),
      contacts                   jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(contacts) = 'array'),
      owner_id                   uuid,
      tags                       jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(tags) = 'array'),
      source                     text NOT NULL DEFAULT 'unknown' CHECK (char_length(source) BETWEEN 1 AND 50),
      external_id                text CHECK (char_length(external_id) BETWEEN 1 AND 200),
      forecast_category_override text CHECK (forecast_category_override IN ('pipeline', 'best_case', 'commit', 'closed', 'omitted')),
      stage_entered_at           timestamptz NOT NULL,
      last_open_stage            text,
      version                    integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at                 timestamptz NOT NULL,
      updated_at                 timestamptz NOT NULL,
      deleted_at                 timestamptz,
      CONSTRAINT customer_mgmt_deals_linked CHECK (company_id IS NOT NULL OR primary_customer_id IS NOT NULL),
      CONSTRAINT customer_mgmt_deals_closed CHECK ((status = 'open') = (closed_at IS NULL)),
      CONSTRAINT customer_mgmt_deals_lost CHECK ((status = 'lost') = (lost IS NOT NULL))
    )`.execute(db);

  for (const statement of [
    sql`CREATE UNIQUE INDEX idx_deals_external_id ON customer_mgmt_deals (external_id) WHERE deleted_at IS NULL`,
    sql`CREATE INDEX idx_deals_pipeline_stage ON customer_mgmt_deals (pipeline_id, stage) WHERE deleted_at IS NULL`,
    sql`CREATE INDEX idx_deals_owner ON customer_mgmt_deals (owner_id, created_at, id) WHERE deleted_at IS NULL`,
    sql`CREATE INDEX idx_deals_customer ON customer_mgmt_deals (primary_customer_id) WHERE primary_customer_id IS NOT NULL`,
    sql`CREATE INDEX idx_deals_company ON customer_mgmt_deals (company_id) WHERE company_id IS NOT NULL`,
    sql`CREATE INDEX idx_deals_contacts ON customer_mgmt_deals USING gin (contacts jsonb_path_ops)`,
    sql`CREATE INDEX idx_deals_tags ON customer_mgmt_deals USING gin (tags jsonb_path_ops)`,
    sql`CREATE INDEX idx_deals_created ON customer_mgmt_deals (created_at, id)`,
    sql`CREATE INDEX idx_deals_updated ON customer_mgmt_deals (updated_at, id)`,
    sql`CREATE INDEX idx_deals_close_date ON customer_mgmt_deals (expected_close_date, id)`,
    sql`CREATE INDEX idx_deals_amount ON customer_mgmt_deals (currency, amount_minor, id)`,
    sql`CREATE INDEX idx_deals_closed ON customer_mgmt_deals (closed_at) WHERE closed_at IS NOT NULL`,
  ]) {
    await statement.execute(db);
  }

  // Keeps the stage rows in step with the pipeline; refuses to retire a stage a live deal is in.
  await sql`
    CREATE FUNCTION customer_mgmt_pipelines_sync_stages() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      retired text[];
      in_use bigint;
    BEGIN
      INSERT INTO customer_mgmt_pipeline_stages (pipeline_id, key, active)
      SELECT NEW.id, stage ->> 'key', NEW.deleted_at IS NULL FROM jsonb_array_elements(NEW.stages) AS stage
      ON CONFLICT (pipeline_id, key) DO UPDATE SET active = excluded.active
      WHERE customer_mgmt_pipeline_stages.active IS DISTINCT FROM excluded.active;

      WITH retiring AS (
        UPDATE customer_mgmt_pipeline_stages SET active = false
        WHERE pipeline_id = NEW.id AND active
          AND (NEW.deleted_at IS NOT NULL OR key NOT IN (SELECT stage ->> 'key' FROM jsonb_array_elements(NEW.stages) AS stage))
        RETURNING key
      )
      SELECT array_agg(key) INTO retired FROM retiring;
      IF NEW.deleted_at IS NOT NULL THEN
        SELECT array_agg(key) INTO retired FROM customer_mgmt_pipeline_stages WHERE pipeline_id = NEW.id;
      END IF;

      -- A statement of its own, so it sees deals committed while the update above waited for their locks.
      SELECT count(*) INTO in_use FROM customer_mgmt_deals
      WHERE pipeline_id = NEW.id AND stage = ANY (coalesce(retired, '{}')) AND deleted_at IS NULL;
      -- The message names the constraint too: through the Data API only the message text arrives.
      IF in_use > 0 AND NEW.deleted_at IS NULL THEN
        RAISE EXCEPTION 'new row violates check constraint "customer_mgmt_pipelines_stage_in_use": % live deals are in a removed stage', in_use
          USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_pipelines_stage_in_use';
      ELSIF in_use > 0 THEN
        RAISE EXCEPTION 'new row violates check constraint "customer_mgmt_pipelines_in_use": the pipeline holds % live deals', in_use
          USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_pipelines_in_use';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_pipelines_sync_stages
    AFTER INSERT OR UPDATE OF stages, deleted_at ON customer_mgmt_pipelines
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_pipelines_sync_stages()`.execute(db);

  // A live deal is in an active stage of its pipeline; the share lock makes a concurrent retirement wait.
  await sql`
    CREATE FUNCTION customer_mgmt_deals_stage_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.deleted_at IS NOT NULL THEN
        RETURN NEW;
      END IF;
      PERFORM 1 FROM customer_mgmt_pipeline_stages
      WHERE pipeline_id = NEW.pipeline_id AND key = NEW.stage AND active
      FOR SHARE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'new row violates check constraint "customer_mgmt_deals_stage_exists": % is not a stage of pipeline %', NEW.stage, NEW.pipeline_id
          USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_deals_stage_exists';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_deals_stage_exists
    BEFORE INSERT OR UPDATE OF pipeline_id, stage, deleted_at ON customer_mgmt_deals
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_deals_stage_exists()`.execute(db);

  const now = sql`now()`;
  await sql`
    INSERT INTO customer_mgmt_pipelines (id, name, currency, stages, lost_reasons, version, created_at, updated_at)
    VALUES (${DEFAULT_PIPELINE_ID}::uuid, 'Sales pipeline', 'EUR', ${JSON.stringify(DEFAULT_STAGES)}::jsonb,
            ${JSON.stringify(DEFAULT_LOST_REASONS)}::jsonb, 1, ${now}, ${now})`.execute(db);
}
