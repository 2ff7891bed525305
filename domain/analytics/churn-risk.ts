import type { CustomerStatus } from '../customer/customer.js';
import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { expectedTransactions } from './bg-nbd-predict.js';

export const CHURN_RISK_BANDS = ['low', 'medium', 'high'] as const;
export type ChurnRiskBand = (typeof CHURN_RISK_BANDS)[number];

/** A score at or above `high` is high risk, at or above `medium` medium, else low. */
export interface ChurnRiskThresholds {
  readonly high: number;
  readonly medium: number;
}

export interface ChurnRiskOptions {
  /** The horizon τ of the score, in weeks (default 26). */
  readonly horizonWeeks?: number;
  readonly thresholds?: ChurnRiskThresholds;
}

/**
 * Defaults: τ = 26 weeks; high from 0.8 (fewer than 0.22 expected orders in the next 26 weeks), medium from 0.5
 * (fewer than 0.69). See docs/analytics-maths.md for how the score was chosen and how these bands split CDNOW.
 */
export const DEFAULT_CHURN_RISK_OPTIONS: Required<ChurnRiskOptions> = { horizonWeeks: 26, thresholds: { high: 0.8, medium: 0.5 } };

/**
 * The churn-risk score, exp(−E[Y(τ) | x, tx, T]): near 1 when the model expects no order in the next τ weeks.
 * Chosen over 1 − P(alive) (which calls every one-time buyer safe) and over the exact P(no order in τ) because it ranks
 * the CDNOW customers who did not come back best (holdout ROC AUC, sample and master).
 */
export function churnRiskScore(
  parameters: BgNbdParameters,
  history: RepeatHistory,
  horizonWeeks = DEFAULT_CHURN_RISK_OPTIONS.horizonWeeks,
): number {
  return Math.exp(-expectedTransactions(parameters, history, horizonWeeks));
}

export function churnRiskBand(score: number, thresholds: ChurnRiskThresholds = DEFAULT_CHURN_RISK_OPTIONS.thresholds): ChurnRiskBand {
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  return 'low';
}

/** The command worth suggesting to a person (never applied automatically): `churn` for a customer at high risk. */
export function suggestedCommand(status: CustomerStatus, band: ChurnRiskBand): 'churn' | null {
  return status === 'customer' && band === 'high' ? 'churn' : null;
}
