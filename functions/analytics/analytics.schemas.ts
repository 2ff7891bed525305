import * as z from 'zod';
import { CHURN_RISK_BANDS } from '../../domain/analytics/churn-risk.js';
import { RFM_SEGMENTS } from '../../domain/analytics/rfm-segments.js';
import { encodePageCursor, isoTimestamp, pageCursor } from '../http/clean-input.js';
import { pageLimit, single } from '../http/query-parameters.js';
import { INSIGHT_SORTS, type InsightSort } from './customer-insight-store.js';
import { RUN_PHASES, RUN_STATES, RUN_TRIGGERS } from './analytics-run-store.js';

const uuid = z.uuid({ error: 'must be a UUID such as 019b6ec4-774c-70e0-9c2c-7ba19630289d' });
const currency = z.string({ error: 'must be a string' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code in capitals, such as EUR or USD');
const timestampInput = isoTimestamp({ allowDate: true });
const segment = z.enum(RFM_SEGMENTS, { error: `must be one of ${RFM_SEGMENTS.join(', ')}` });
const band = z.enum(CHURN_RISK_BANDS, { error: `must be one of ${CHURN_RISK_BANDS.join(', ')}` });
const wholeNumber = (min: number, max: number) =>
  z.int({ error: 'must be a whole number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const RunIdParams = z.object({ id: uuid });
export const ModelIdParams = z.object({ id: uuid });

/** Every setting of a run, each optional (the defaults are in docs/analytics.md). */
export const StartRunBody = z
  .strictObject({
    as_of: timestampInput.optional(),
    horizon_weeks: wholeNumber(1, 520).optional(),
    clv_months: wholeNumber(1, 120).optional(),
    monthly_discount_rate: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(1, 'must be at most 1').optional(),
    churn_horizon_weeks: wholeNumber(1, 520).optional(),
    churn_thresholds: z
      .strictObject({
        high: z.number({ error: 'must be a number' }).gt(0, 'must be above 0').max(1, 'must be at most 1'),
        medium: z.number({ error: 'must be a number' }).gt(0, 'must be above 0').max(1, 'must be at most 1'),
      })
      .refine((thresholds) => thresholds.medium < thresholds.high, { message: 'medium must be below high', path: ['medium'] })
      .optional(),
    max_fit_customers: wholeNumber(1_000, 10_000_000).optional(),
    partition_customers: wholeNumber(100, 50_000).optional(),
  })
  .meta({ title: 'StartAnalyticsRun' });
export type StartRunBody = z.infer<typeof StartRunBody>;

export const InsightsQuery = z.strictObject({
  after: single(currency).optional().describe('the currency of the last insight of the previous page (next_cursor)'),
  limit: pageLimit,
});

export const SegmentsQuery = z.strictObject({
  currency: single(currency),
  as_of: single(timestampInput).optional().describe('the segments of the newest run as of this date or earlier (default: the newest)'),
});

/** `cursor` of GET /analytics/customers: the sort, the last value and customer id (a forged one is a 400). */
export const InsightCursor = pageCursor(
  z
    .object({ s: z.enum(INSIGHT_SORTS), k: z.number().finite(), i: z.uuid() })
    .transform(({ s, k, i }) => ({ sort: s as InsightSort, key: k, customerId: i })),
);
export const encodeInsightCursor = (sort: InsightSort, key: number, customerId: string) =>
  encodePageCursor({ s: sort, k: key, i: customerId });

export const AnalyticsCustomersQuery = z.strictObject({
  currency: single(currency),
  segment: single(segment).optional(),
  churn_risk: single(band).optional(),
  sort: single(z.enum(INSIGHT_SORTS, { error: `must be one of ${INSIGHT_SORTS.join(', ')}` })).default('-clv'),
  limit: pageLimit,
  cursor: single(InsightCursor).optional(),
});

export const FunnelQuery = z.strictObject({
  from: single(timestampInput).optional().describe('start of the creation window, inclusive (default: 90 days before `to`)'),
  to: single(timestampInput).optional().describe('end of the creation window, exclusive (default: now)'),
});

export const CohortsQuery = z.strictObject({
  currency: single(currency),
  period: single(z.enum(['month'], { error: 'must be month' })).default('month'),
  after: single(
    z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a cohort month YYYY-MM (next_cursor of the previous page)')
      .meta({ examples: ['2026-01'] }),
  ).optional(),
  limit: pageLimit,
});

// Representations: what the API answers, documented in OpenAPI and checked against real responses.
const timestamp = z.iso.datetime().meta({ examples: ['2026-11-26T10:00:00.000Z'] });
const share = z.number().min(0).max(1);

export const RunSettingsRepresentation = z.strictObject({
  horizon_weeks: z.int(),
  clv_months: z.int(),
  monthly_discount_rate: z.number(),
  churn_horizon_weeks: z.int(),
  churn_thresholds: z.strictObject({ high: z.number(), medium: z.number() }),
  max_fit_customers: z.int(),
  partition_customers: z.int(),
});

export const RunRepresentation = z
  .strictObject({
    id: z.uuid(),
    state: z.enum(RUN_STATES),
    phase: z.enum(RUN_PHASES).nullable(),
    triggered_by: z.enum(RUN_TRIGGERS),
    requested_by: z.string(),
    as_of: timestamp,
    settings: RunSettingsRepresentation,
    customers_scored: z.int().min(0).describe('insights written (one per customer and currency)'),
    events_emitted: z.int().min(0).describe('CustomerChurnRiskChanged events appended'),
    invocations: z.int().min(0),
    models: z.array(z.strictObject({ id: z.uuid(), currency })).describe('the models fitted, one per currency'),
    skipped_currencies: z
      .array(z.strictObject({ currency, reason: z.string() }))
      .describe('currencies with orders but no model yet (e.g. no repeat customer): their customers get no insight in them'),
    error: z.string().nullable(),
    requested_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
  })
  .meta({ title: 'AnalyticsRun' });

const SegmentRow = z.strictObject({
  segment,
  customers: z.int().min(0),
  revenue_minor: z.number().min(0),
  revenue_share: share,
  average_clv_minor: z.number().min(0).nullable(),
});

export const ModelRepresentation = z
  .strictObject({
    id: z.uuid(),
    run_id: z.uuid(),
    currency,
    as_of: timestamp,
    data_from: timestamp,
    customers: z.int().min(0),
    fitted_customers: z.int().min(0).describe('the customers the models were fitted on: everyone, or a deterministic sample'),
    repeat_customers: z.int().min(0),
    excluded_zero_spend: z.int().min(0).describe('repeat customers left out of Gamma-Gamma: their average repeat spend is zero'),
    bg_nbd: z.strictObject({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number(), log_likelihood: z.number() }),
    gamma_gamma: z.strictObject({
      p: z.number(),
      q: z.number(),
      gamma_minor: z.number().describe('γ in minor units of the currency'),
      log_likelihood: z.number(),
      frequency_spend_correlation: z.number().nullable().describe('the model assumes frequency and spend are independent'),
    }),
    converged: z.boolean(),
    settings: RunSettingsRepresentation,
    segments: z.array(SegmentRow).nullable().describe('null until the run has scored every customer'),
    fit_ms: z.int().min(0),
    fitted_at: timestamp,
  })
  .meta({ title: 'AnalyticsModel' });

export const InsightRepresentation = z
  .strictObject({
    customer_id: z.uuid(),
    currency,
    as_of: timestamp,
    model_id: z.uuid(),
    rfm: z.strictObject({
      recency_days: z.int().min(0),
      frequency: z.int().min(1).describe('transactions: days with at least one counted order'),
      monetary_minor: z.number(),
      recency_score: z.int().min(1).max(5),
      frequency_score: z.int().min(1).max(5),
      monetary_score: z.int().min(1).max(5),
      segment,
    }),
    p_alive: share,
    expected_transactions: z.number().min(0).describe('in the next horizon_weeks of the run'),
    expected_order_value_minor: z.number().min(0),
    clv_minor: z.number().min(0),
    churn_risk: z.strictObject({ score: share, band }),
    suggested_command: z.literal('churn').nullable().describe('never applied automatically'),
    updated_at: timestamp,
  })
  .meta({ title: 'CustomerInsight' });

export const SegmentsRepresentation = z
  .strictObject({
    currency,
    as_of: timestamp,
    model_id: z.uuid(),
    customers: z.int().min(0),
    revenue_minor: z.number().min(0),
    segments: z.array(SegmentRow).describe('all ten segments, in the order of the R × F map'),
  })
  .meta({ title: 'RfmSegments' });

export const FunnelRepresentation = z
  .strictObject({
    from: timestamp,
    to: timestamp,
    leads: z.int().min(0),
    prospects: z.int().min(0),
    customers: z.int().min(0),
    conversion: z.strictObject({
      lead_to_prospect: share.nullable(),
      prospect_to_customer: share.nullable(),
      lead_to_customer: share.nullable(),
    }),
    median_days: z.strictObject({ lead_to_prospect: z.number().nullable(), prospect_to_customer: z.number().nullable() }),
  })
  .meta({ title: 'LifecycleFunnel' });

export const CohortRepresentation = z
  .strictObject({
    cohort: z.string().meta({ examples: ['2026-01'] }),
    customers: z.int().min(0),
    returning: z.array(z.int().min(0)).describe('index 0: the month after the cohort month'),
    retention: z.array(share),
  })
  .meta({ title: 'Cohort' });
