import type { ColumnType } from 'kysely';
import type { Jsonb, NullableTimestamp, Timestamp } from '../db/column-types.js';

/** The analytics read models (migrations/2026-11-28T07-00-00_analytics.ts); only the modules of this folder name their columns. */
export const RUNS = 'customer_mgmt_analytics_runs' as const;
export const MODELS = 'customer_mgmt_analytics_models' as const;
export const INSIGHTS = 'customer_mgmt_customer_insights' as const;

type Double = ColumnType<number | string, number, number>;

export interface AnalyticsRunsTable {
  id: string;
  state: string;
  requested_by: string;
  triggered_by: string;
  as_of: Timestamp;
  options: Jsonb<Record<string, unknown>>;
  phase: string | null;
  scored_through: string | null;
  customers_scored: ColumnType<number, number | undefined, number>;
  events_emitted: ColumnType<number, number | undefined, number>;
  invocations: ColumnType<number, number | undefined, number>;
  skipped_currencies: ColumnType<unknown, string | undefined, string>;
  error: string | null;
  requested_at: Timestamp;
  started_at: NullableTimestamp;
  heartbeat_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface AnalyticsModelsTable {
  id: string;
  run_id: string;
  currency: string;
  as_of: Timestamp;
  data_from: Timestamp;
  customers: number;
  fitted_customers: number;
  repeat_customers: number;
  excluded_zero_spend: number;
  bg_nbd: Jsonb<Record<string, number>>;
  bg_nbd_log_likelihood: Double;
  gamma_gamma: Jsonb<Record<string, number>>;
  gamma_gamma_log_likelihood: Double;
  frequency_spend_correlation: Double | null;
  converged: boolean;
  rfm_cut_points: Jsonb<Record<string, unknown>>;
  options: Jsonb<Record<string, unknown>>;
  segments: Jsonb<unknown[]> | null;
  fit_ms: number;
  fitted_at: Timestamp;
}

export interface CustomerInsightsTable {
  id: string;
  customer_id: string;
  currency: string;
  model_id: string;
  as_of: Timestamp;
  recency_days: number;
  transactions: number;
  total_spend_minor: ColumnType<number | string, number, number>;
  recency_score: number;
  frequency_score: number;
  monetary_score: number;
  segment: string;
  p_alive: Double;
  expected_transactions: Double;
  expected_order_value: Double;
  clv: Double;
  churn_risk_score: Double;
  churn_risk: string;
  version: number;
  updated_at: Timestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_analytics_runs: AnalyticsRunsTable;
    customer_mgmt_analytics_models: AnalyticsModelsTable;
    customer_mgmt_customer_insights: CustomerInsightsTable;
  }
}
