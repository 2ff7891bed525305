import { sql, type Kysely } from 'kysely';

// The analytics read models: runs (what was asked, where it stands), the models each run fitted
// (one per currency) and the latest scores per customer and currency. New tables only, so the
// migration is DDL on empty tables and runs in one transaction (migrations/index.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_analytics_runs (
      id                 uuid PRIMARY KEY,
      state              text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
      requested_by       text NOT NULL,
      triggered_by       text NOT NULL CHECK (triggered_by IN ('api', 'schedule', 'command')),
      as_of              timestamptz NOT NULL,
      options            jsonb NOT NULL,
      phase              text CHECK (phase IN ('fitting', 'scoring', 'summarising')),
      scored_through     uuid,
      customers_scored   integer NOT NULL DEFAULT 0,
      events_emitted     integer NOT NULL DEFAULT 0,
      invocations        integer NOT NULL DEFAULT 0,
      skipped_currencies jsonb NOT NULL DEFAULT '[]'::jsonb,
      error              text,
      requested_at       timestamptz NOT NULL,
      started_at         timestamptz,
      heartbeat_at       timestamptz,
      finished_at        timestamptz
    )`.execute(db);
  // At most one run is queued or running: a second request is refused by this index, not by a read.
  await sql`
    CREATE UNIQUE INDEX idx_analytics_runs_one_active ON customer_mgmt_analytics_runs ((true))
      WHERE state IN ('queued', 'running')`.execute(db);
  await sql`CREATE INDEX idx_analytics_runs_requested ON customer_mgmt_analytics_runs (requested_at)`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_analytics_models (
      id                           uuid PRIMARY KEY,
      run_id                       uuid NOT NULL REFERENCES customer_mgmt_analytics_runs (id),
      currency                     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      as_of                        timestamptz NOT NULL,
      data_from                    timestamptz NOT NULL,
      customers                    integer NOT NULL CHECK (customers >= 0),
      fitted_customers             integer NOT NULL CHECK (fitted_customers >= 0),
      repeat_customers             integer NOT NULL CHECK (repeat_customers >= 0),
      excluded_zero_spend          integer NOT NULL CHECK (excluded_zero_spend >= 0),
      bg_nbd                       jsonb NOT NULL,
      bg_nbd_log_likelihood        double precision NOT NULL,
      gamma_gamma                  jsonb NOT NULL,
      gamma_gamma_log_likelihood   double precision NOT NULL,
      frequency_spend_correlation  double precision,
      converged                    boolean NOT NULL,
      rfm_cut_points               jsonb NOT NULL,
      options                      jsonb NOT NULL,
      segments                     jsonb,
      fit_ms                       integer NOT NULL,
      fitted_at                    timestamptz NOT NULL,
      UNIQUE (run_id, currency)
    )`.execute(db);
  await sql`CREATE INDEX idx_analytics_models_currency ON customer_mgmt_analytics_models (currency, as_of, fitted_at)`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_customer_insights (
      id                     uuid PRIMARY KEY,
      customer_id            uuid NOT NULL REFERENCES customer_mgmt_customers (id),
      currency               char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      model_id               uuid NOT NULL REFERENCES customer_mgmt_analytics_models (id),
      as_of                  timestamptz NOT NULL,
      recency_days           integer NOT NULL,
      transactions           integer NOT NULL CHECK (transactions >= 1),
      total_spend_minor      bigint NOT NULL,
      recency_score          smallint NOT NULL CHECK (recency_score BETWEEN 1 AND 5),
      frequency_score        smallint NOT NULL CHECK (frequency_score BETWEEN 1 AND 5),
      monetary_score         smallint NOT NULL CHECK (monetary_score BETWEEN 1 AND 5),
      segment                text NOT NULL,
      p_alive                double precision NOT NULL,
      expected_transactions  double precision NOT NULL,
      expected_order_value   double precision NOT NULL,
      clv                    double precision NOT NULL,
      churn_risk_score       double precision NOT NULL,
      churn_risk             text NOT NULL CHECK (churn_risk IN ('low', 'medium', 'high')),
      version                integer NOT NULL CHECK (version >= 1),
      updated_at             timestamptz NOT NULL,
      UNIQUE (customer_id, currency)
    )`.execute(db);
  // The keyset orders of GET /analytics/customers, and the filters of GET /customers.
  await sql`CREATE INDEX idx_insights_clv ON customer_mgmt_customer_insights (currency, clv DESC, customer_id)`.execute(db);
  await sql`CREATE INDEX idx_insights_p_alive ON customer_mgmt_customer_insights (currency, p_alive DESC, customer_id)`.execute(db);
  await sql`CREATE INDEX idx_insights_segment ON customer_mgmt_customer_insights (segment, customer_id)`.execute(db);
  await sql`CREATE INDEX idx_insights_churn_risk ON customer_mgmt_customer_insights (churn_risk, customer_id)`.execute(db);
  await sql`CREATE INDEX idx_insights_model ON customer_mgmt_customer_insights (model_id)`.execute(db);
}
