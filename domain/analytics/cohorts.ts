import type { Timestamp } from '../shared/timestamp.js';
import type { AnalyticsOrder } from './customer-summary.js';
import { timestampMs } from './timestamp-ms.js';

export interface CohortRow {
  /** The month of the customers' first order, `YYYY-MM` (UTC). */
  readonly cohort: string;
  readonly customers: number;
  /** Customers with an order in the k-th month after the cohort month (index 0 = the next month), up to the as-of month. */
  readonly returning: readonly number[];
  /** `returning` as shares of `customers`. */
  readonly retention: readonly number[];
}

const monthIndex = (ms: number) => {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

const monthLabel = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

/**
 * Monthly cohort retention in one currency as of a date: customers grouped by the month of their first counted order,
 * and the share of them ordering again in each later month (refunded orders and orders after `asOf` are left out).
 */
export function cohortRetention(orders: readonly AnalyticsOrder[], currency: string, asOf: Timestamp): CohortRow[] {
  const asOfMs = timestampMs(asOf);
  const lastMonth = monthIndex(asOfMs);
  const monthsByCustomer = new Map<string, Set<number>>();
  for (const order of orders) {
    if (order.state === 'refunded' || order.total.currency !== currency) continue;
    const placedMs = timestampMs(order.placedAt);
    if (placedMs > asOfMs) continue;
    let months = monthsByCustomer.get(order.customerId);
    if (!months) monthsByCustomer.set(order.customerId, (months = new Set()));
    months.add(monthIndex(placedMs));
  }
  const cohorts = new Map<number, { customers: number; returning: number[] }>();
  for (const months of monthsByCustomer.values()) {
    const first = Math.min(...months);
    let cohort = cohorts.get(first);
    if (!cohort) cohorts.set(first, (cohort = { customers: 0, returning: new Array<number>(lastMonth - first).fill(0) }));
    cohort.customers += 1;
    for (const month of months) if (month > first) cohort.returning[month - first - 1]! += 1;
  }
  return [...cohorts.entries()]
    .sort(([left], [right]) => left - right)
    .map(([first, cohort]) => ({
      cohort: monthLabel(first),
      customers: cohort.customers,
      returning: cohort.returning,
      retention: cohort.returning.map((count) => count / cohort.customers),
    }));
}
