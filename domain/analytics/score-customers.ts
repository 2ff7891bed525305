import type { CustomerStatus } from '../customer/customer.js';
import type { BgNbdParameters } from './bg-nbd-model.js';
import { expectedTransactionsIfAlive, probabilityAlive } from './bg-nbd-predict.js';
import { churnRiskBand, DEFAULT_CHURN_RISK_OPTIONS, suggestedCommand, type ChurnRiskBand, type ChurnRiskOptions } from './churn-risk.js';
import { discountedTransactionsIfAlive, type ClvOptions } from './clv.js';
import type { ModelInput } from './fit-models.js';
import { expectedAverageOrderValue, type GammaGammaParameters } from './gamma-gamma.js';

export interface ModelParameters {
  readonly bgNbd: BgNbdParameters;
  readonly gammaGamma: GammaGammaParameters;
}

export interface CustomerToScore extends ModelInput {
  /** When given, a `customer` at high churn risk gets `suggestedCommand: 'churn'`. */
  readonly status?: CustomerStatus;
}

export interface ScoringOptions {
  /** Horizon of `expectedTransactions`, in weeks (default 52). */
  readonly horizonWeeks?: number;
  readonly clv?: ClvOptions;
  readonly churn?: ChurnRiskOptions;
}

export interface CustomerScore {
  readonly customerId: string;
  readonly pAlive: number;
  /** Expected transactions in the next `horizonWeeks`. */
  readonly expectedTransactions: number;
  /** Gamma-Gamma expected value of a future transaction, minor units. */
  readonly expectedOrderValue: number;
  /** Discounted expected value of the next months' transactions, minor units. */
  readonly clv: number;
  readonly churnRiskScore: number;
  readonly churnRisk: ChurnRiskBand;
  readonly suggestedCommand: 'churn' | null;
}

interface AliveExpectations {
  readonly horizon: number;
  readonly churnHorizon: number;
  readonly discounted: number;
}

export const DEFAULT_HORIZON_WEEKS = 52;

/**
 * Scores customers with fitted parameters: P(alive), expected transactions, expected order value, CLV and churn risk.
 * Each customer's scores depend on that customer alone, so any slice of a population can be scored separately
 * (partitions) with the same result. The series behind the expectations depend on (x, T) only and are computed once
 * per distinct pair — with day-granular data, far fewer than the customers.
 */
export function scoreCustomers(
  models: ModelParameters,
  customers: readonly CustomerToScore[],
  options: ScoringOptions = {},
): CustomerScore[] {
  const horizonWeeks = options.horizonWeeks ?? DEFAULT_HORIZON_WEEKS;
  const churnHorizon = options.churn?.horizonWeeks ?? DEFAULT_CHURN_RISK_OPTIONS.horizonWeeks;
  const thresholds = options.churn?.thresholds ?? DEFAULT_CHURN_RISK_OPTIONS.thresholds;
  const cache = new Map<number, Map<number, AliveExpectations>>();
  const aliveExpectations = (x: number, T: number): AliveExpectations => {
    let byAge = cache.get(x);
    if (!byAge) cache.set(x, (byAge = new Map()));
    let entry = byAge.get(T);
    if (!entry) {
      entry = {
        horizon: expectedTransactionsIfAlive(models.bgNbd, x, T, horizonWeeks),
        churnHorizon: expectedTransactionsIfAlive(models.bgNbd, x, T, churnHorizon),
        discounted: discountedTransactionsIfAlive(models.bgNbd, x, T, options.clv),
      };
      byAge.set(T, entry);
    }
    return entry;
  };
  return customers.map((customer) => {
    const pAlive = probabilityAlive(models.bgNbd, customer);
    const alive = aliveExpectations(customer.x, customer.T);
    const expectedOrderValue = expectedAverageOrderValue(models.gammaGamma, { x: customer.x, meanSpend: customer.meanRepeatSpendMinor });
    const churnRiskScore = Math.exp(-pAlive * alive.churnHorizon);
    const churnRisk = churnRiskBand(churnRiskScore, thresholds);
    return {
      customerId: customer.customerId,
      pAlive,
      expectedTransactions: pAlive * alive.horizon,
      expectedOrderValue,
      clv: pAlive * alive.discounted * expectedOrderValue,
      churnRiskScore,
      churnRisk,
      suggestedCommand: customer.status ? suggestedCommand(customer.status, churnRisk) : null,
    };
  });
}
