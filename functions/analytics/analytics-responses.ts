import { RFM_SEGMENTS } from '../../domain/analytics/rfm-segments.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { SegmentSummary, StoredModel } from './analytics-model-store.js';
import type { AnalyticsRun, RunSettings } from './analytics-run-store.js';
import type { StoredInsight } from './customer-insight-store.js';
import type { CohortRow, LifecycleFunnel } from './reports.js';

const settingsBody = (settings: RunSettings): JsonObject => ({
  horizon_weeks: settings.horizonWeeks,
  clv_months: settings.clv.months,
  monthly_discount_rate: settings.clv.monthlyDiscountRate,
  churn_horizon_weeks: settings.churn.horizonWeeks,
  churn_thresholds: { high: settings.churn.thresholds.high, medium: settings.churn.thresholds.medium },
  max_fit_customers: settings.maxFitCustomers,
  partition_customers: settings.partitionCustomers,
});

export function runBody(run: AnalyticsRun, models: readonly Pick<StoredModel, 'id' | 'currency'>[]): JsonObject {
  return {
    id: run.id,
    state: run.state,
    phase: run.phase,
    triggered_by: run.triggeredBy,
    requested_by: run.requestedBy,
    as_of: run.asOf,
    settings: settingsBody(run.settings),
    customers_scored: run.customersScored,
    events_emitted: run.eventsEmitted,
    invocations: run.invocations,
    models: models.map((model) => ({ id: model.id, currency: model.currency })),
    skipped_currencies: run.skippedCurrencies.map((skipped) => ({ currency: skipped.currency, reason: skipped.reason })),
    error: run.error,
    requested_at: run.requestedAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
  };
}

/** All ten segments in map order (zeros where a segment is empty), with each one's share of the revenue. */
export function segmentRows(segments: readonly SegmentSummary[]): JsonObject[] {
  const total = segments.reduce((sum, row) => sum + Number(row.revenueMinor), 0);
  return RFM_SEGMENTS.map((name) => {
    const row = segments.find((candidate) => candidate.segment === name);
    const revenue = Number(row?.revenueMinor ?? 0);
    return {
      segment: name,
      customers: Number(row?.customers ?? 0),
      revenue_minor: revenue,
      revenue_share: total > 0 ? revenue / total : 0,
      average_clv_minor: row ? Number(row.averageClvMinor) : null,
    };
  });
}

export function modelBody(model: StoredModel): JsonObject {
  return {
    id: model.id,
    run_id: model.runId,
    currency: model.currency,
    as_of: model.asOf,
    data_from: model.dataFrom,
    customers: model.customers,
    fitted_customers: model.fittedCustomers,
    repeat_customers: model.repeatCustomers,
    excluded_zero_spend: model.excludedZeroSpend,
    bg_nbd: { ...model.bgNbd, log_likelihood: model.bgNbdLogLikelihood },
    gamma_gamma: {
      p: model.gammaGamma.p,
      q: model.gammaGamma.q,
      gamma_minor: model.gammaGamma.gamma,
      log_likelihood: model.gammaGammaLogLikelihood,
      frequency_spend_correlation: model.frequencySpendCorrelation,
    },
    converged: model.converged,
    settings: settingsBody(model.settings),
    segments: model.segments === null ? null : segmentRows(model.segments),
    fit_ms: model.fitMs,
    fitted_at: model.fittedAt,
  };
}

export function segmentsBody(model: StoredModel): JsonObject {
  const segments = model.segments ?? [];
  return {
    currency: model.currency,
    as_of: model.asOf,
    model_id: model.id,
    customers: segments.reduce((sum, row) => sum + Number(row.customers), 0),
    revenue_minor: segments.reduce((sum, row) => sum + Number(row.revenueMinor), 0),
    segments: segmentRows(segments),
  };
}

export function insightBody(insight: StoredInsight): JsonObject {
  return {
    customer_id: insight.customerId,
    currency: insight.currency,
    as_of: insight.asOf,
    model_id: insight.modelId,
    rfm: {
      recency_days: insight.recencyDays,
      frequency: insight.transactions,
      monetary_minor: insight.totalSpendMinor,
      recency_score: insight.recencyScore,
      frequency_score: insight.frequencyScore,
      monetary_score: insight.monetaryScore,
      segment: insight.segment,
    },
    p_alive: insight.pAlive,
    expected_transactions: insight.expectedTransactions,
    expected_order_value_minor: insight.expectedOrderValue,
    clv_minor: insight.clv,
    churn_risk: { score: insight.churnRiskScore, band: insight.churnRisk },
    suggested_command: insight.suggestedCommand,
    updated_at: insight.updatedAt,
  };
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function funnelBody(funnel: LifecycleFunnel): JsonObject {
  return {
    from: funnel.from,
    to: funnel.to,
    leads: funnel.leads,
    prospects: funnel.prospects,
    customers: funnel.customers,
    conversion: {
      lead_to_prospect: rate(funnel.prospects, funnel.leads),
      prospect_to_customer: rate(funnel.customers, funnel.prospects),
      lead_to_customer: rate(funnel.customers, funnel.leads),
    },
    median_days: { lead_to_prospect: funnel.medianDaysLeadToProspect, prospect_to_customer: funnel.medianDaysProspectToCustomer },
  };
}

export function cohortBody(row: CohortRow): JsonObject {
  return {
    cohort: row.cohort,
    customers: row.customers,
    returning: [...row.returning],
    retention: row.returning.map((count) => (row.customers > 0 ? count / row.customers : 0)),
  };
}
