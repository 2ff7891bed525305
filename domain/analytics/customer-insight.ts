import type { CustomerStatus } from '../customer/customer.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { ChurnRiskBand, ChurnRiskOptions } from './churn-risk.js';
import type { ClvOptions } from './clv.js';
import type { CustomerSummary } from './customer-summary.js';
import { fitModels, sampleByCustomerId, type ModelFits } from './fit-models.js';
import { rfmCutPoints, rfmInputOf, rfmScore, type RfmCutPoints } from './rfm.js';
import type { RfmSegment } from './rfm-segments.js';
import { scoreCustomers, type ModelParameters } from './score-customers.js';

/** How a run scores: the horizons, the CLV discounting and the churn bands (every one has a documented default). */
export interface InsightSettings {
  /** Horizon of `expectedTransactions`, weeks. */
  readonly horizonWeeks: number;
  readonly clv: Required<ClvOptions>;
  readonly churn: Required<ChurnRiskOptions>;
}

/** One customer's latest scores in one currency: what the insights table holds. */
export interface CustomerInsight {
  readonly customerId: string;
  readonly currency: string;
  readonly asOf: Timestamp;
  readonly recencyDays: number;
  readonly transactions: number;
  readonly totalSpendMinor: number;
  readonly recencyScore: number;
  readonly frequencyScore: number;
  readonly monetaryScore: number;
  readonly segment: RfmSegment;
  readonly pAlive: number;
  readonly expectedTransactions: number;
  readonly expectedOrderValue: number;
  readonly clv: number;
  readonly churnRiskScore: number;
  readonly churnRisk: ChurnRiskBand;
  readonly suggestedCommand: 'churn' | null;
}

/** What a fit of one currency leaves for scoring: the parameters and the RFM boundaries. */
export interface CurrencyModel extends ModelFits {
  readonly currency: string;
  readonly customers: number;
  readonly fittedCustomers: number;
  readonly cutPoints: RfmCutPoints;
}

/**
 * Fits one currency's models and RFM boundaries. Up to `maxFitCustomers` customers the whole population is used;
 * beyond, a deterministic sample by hashed customer id of about that size (the same customers on every run), so the
 * fit's cost stays bounded however large the population grows. `population` is the currency's customer count; the
 * summaries given are either all of them or already the sample (`fitSampleFraction` says which to keep).
 */
export function fitCurrency(currency: string, population: number, summaries: readonly CustomerSummary[]): CurrencyFit {
  // Gamma-Gamma is fitted on repeat customers' average repeat spend: without one, there is nothing to fit.
  if (!summaries.some((summary) => summary.x >= 1 && summary.meanRepeatSpendMinor > 0)) {
    return { kind: 'skipped', currency, reason: `no ${currency} customer has repeat orders with a positive spend yet` };
  }
  let fits: ModelFits;
  try {
    fits = fitModels(summaries);
  } catch (error) {
    if (error instanceof RangeError) return { kind: 'skipped', currency, reason: error.message };
    throw error;
  }
  // Too little or too uniform data drives the estimates to a boundary (e.g. a, b → ∞): such a fit predicts nothing.
  if (!fits.bgNbd.converged || !fits.gammaGamma.converged) {
    return {
      kind: 'skipped',
      currency,
      reason: `the ${fits.bgNbd.converged ? 'Gamma-Gamma' : 'BG/NBD'} fit on ${summaries.length} ${currency} customers did not converge (too little or too uniform purchase history)`,
    };
  }
  return {
    kind: 'fitted',
    model: {
      currency,
      ...fits,
      customers: population,
      fittedCustomers: summaries.length,
      cutPoints: rfmCutPoints(summaries.map(rfmInputOf)),
    },
  };
}

/** A currency's models, or why none could be fitted (its customers then get no insight in that currency). */
export type CurrencyFit =
  | { readonly kind: 'fitted'; readonly model: CurrencyModel }
  | { readonly kind: 'skipped'; readonly currency: string; readonly reason: string };

/** The share of a population of `population` customers to fit on, keeping about `maxFitCustomers` (1 = everyone). */
export function fitSampleFraction(population: number, maxFitCustomers: number): number {
  return population <= maxFitCustomers ? 1 : maxFitCustomers / population;
}

/** The sample selector for a fraction (everyone at 1). */
export function fitSampleSelector(fraction: number): (customer: { readonly customerId: string }) => boolean {
  return fraction >= 1 ? () => true : sampleByCustomerId(fraction);
}

/**
 * Scores a slice of one currency's customers against its fitted model: each customer's insight depends on that
 * customer and the model alone, so partitions scored separately give the same result as the whole population.
 */
export function scoreInsights(
  model: { readonly parameters: ModelParameters; readonly cutPoints: RfmCutPoints },
  summaries: readonly (CustomerSummary & { readonly status?: CustomerStatus })[],
  asOf: Timestamp,
  settings: InsightSettings,
): CustomerInsight[] {
  const scores = scoreCustomers(model.parameters, summaries, {
    horizonWeeks: settings.horizonWeeks,
    clv: settings.clv,
    churn: settings.churn,
  });
  return summaries.map((summary, index) => {
    const score = scores[index]!;
    const rfm = rfmScore(rfmInputOf(summary), model.cutPoints);
    return {
      customerId: summary.customerId,
      currency: summary.currency,
      asOf,
      recencyDays: summary.recencyDays,
      transactions: summary.transactions,
      totalSpendMinor: summary.totalSpendMinor,
      recencyScore: rfm.recency,
      frequencyScore: rfm.frequency,
      monetaryScore: rfm.monetary,
      segment: rfm.segment,
      pAlive: score.pAlive,
      expectedTransactions: score.expectedTransactions,
      expectedOrderValue: score.expectedOrderValue,
      clv: score.clv,
      churnRiskScore: score.churnRiskScore,
      churnRisk: score.churnRisk,
      suggestedCommand: score.suggestedCommand,
    };
  });
}
