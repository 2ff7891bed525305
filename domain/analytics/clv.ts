import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { expectedTransactionsIfAlive, probabilityAlive } from './bg-nbd-predict.js';

/** A month in weeks: 365.25 / 12 days. */
export const WEEKS_PER_MONTH = 365.25 / 12 / 7;

export interface ClvOptions {
  /** How many months ahead (default 12). */
  readonly months?: number;
  /** Discount rate per month (default 0.01); month k's transactions are discounted by (1 + rate)^k. */
  readonly monthlyDiscountRate?: number;
}

export const DEFAULT_CLV_OPTIONS: Required<ClvOptions> = { months: 12, monthlyDiscountRate: 0.01 };

/**
 * Σ_{k=1..months} (E[Y(k m) | alive] − E[Y((k−1) m) | alive]) / (1 + rate)^k, m = one month in weeks: the discounted
 * expected transactions of a customer known to be alive, which depend on (x, T) only (multiply by P(alive) for the customer).
 */
export function discountedTransactionsIfAlive(parameters: BgNbdParameters, x: number, T: number, options: ClvOptions = {}): number {
  const { months, monthlyDiscountRate } = { ...DEFAULT_CLV_OPTIONS, ...options };
  let total = 0;
  let previous = 0;
  for (let month = 1; month <= months; month += 1) {
    const cumulative = expectedTransactionsIfAlive(parameters, x, T, month * WEEKS_PER_MONTH);
    total += (cumulative - previous) / Math.pow(1 + monthlyDiscountRate, month);
    previous = cumulative;
  }
  return total;
}

/** CLV = Σ over the next months of expected transactions in the month × expected order value, discounted monthly. */
export function customerLifetimeValue(
  parameters: BgNbdParameters,
  history: RepeatHistory,
  expectedOrderValue: number,
  options: ClvOptions = {},
): number {
  return (
    probabilityAlive(parameters, history) * discountedTransactionsIfAlive(parameters, history.x, history.T, options) * expectedOrderValue
  );
}
