import type { Purchase } from '../purchase/purchase.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { RepeatHistory } from './bg-nbd-model.js';

/** What the analytics read of an order: who, when, how much in which currency, and whether it was refunded. */
export type AnalyticsOrder = Pick<Purchase, 'customerId' | 'placedAt' | 'state' | 'total'>;

/** One customer's purchase history in one currency, as of a date: the RFM inputs and the models' (x, tx, T). */
export interface CustomerSummary extends RepeatHistory {
  readonly customerId: string;
  readonly currency: string;
  /** Transactions: days with at least one counted order (x + 1). */
  readonly transactions: number;
  readonly firstPurchaseAt: Timestamp;
  readonly lastPurchaseAt: Timestamp;
  /** Whole UTC days from the day of the last transaction to the as-of day. */
  readonly recencyDays: number;
  /** Total spend in the currency's minor unit. */
  readonly totalSpendMinor: number;
  /** Average value of the repeat transactions (all but the first day), minor unit; 0 when there is none. */
  readonly meanRepeatSpendMinor: number;
}

const DAY_MS = 86_400_000;

/** The UTC day number of a timestamp (days since 1970-01-01). */
export const utcDay = (timestamp: Timestamp): number => Math.floor(Date.parse(timestamp) / DAY_MS);

const counted = (order: AnalyticsOrder) => order.state !== 'refunded';

interface DayTotals {
  firstAt: Timestamp;
  lastAt: Timestamp;
  readonly spendByDay: Map<number, number>;
}

/**
 * Summaries per customer and currency from an order list, as of `asOf`: refunded orders are left out, orders placed
 * after `asOf` are ignored, and all orders of one customer on one UTC day are one transaction (the literature's rule)
 * whose value is their sum. Times are whole days in weeks: tx = (last day − first day) / 7 and T = (as-of day − first
 * day) / 7 — the convention that reproduces the published CDNOW fits (a customer whose first purchase is on the as-of
 * day has T = 0). Sorted by currency, then customer id.
 */
export function summarisePurchases(orders: readonly AnalyticsOrder[], asOf: Timestamp): CustomerSummary[] {
  const asOfMs = Date.parse(asOf);
  const asOfDay = Math.floor(asOfMs / DAY_MS);
  const byCustomer = new Map<string, DayTotals>();
  for (const order of orders) {
    if (!counted(order) || Date.parse(order.placedAt) > asOfMs) continue;
    const key = `${order.total.currency}\u0000${order.customerId}`;
    let totals = byCustomer.get(key);
    if (!totals) byCustomer.set(key, (totals = { firstAt: order.placedAt, lastAt: order.placedAt, spendByDay: new Map() }));
    if (order.placedAt < totals.firstAt) totals.firstAt = order.placedAt;
    if (order.placedAt > totals.lastAt) totals.lastAt = order.placedAt;
    const day = utcDay(order.placedAt);
    totals.spendByDay.set(day, (totals.spendByDay.get(day) ?? 0) + order.total.amountMinor);
  }
  const summaries: CustomerSummary[] = [];
  for (const [key, totals] of byCustomer) {
    const [currency, customerId] = key.split('\u0000') as [string, string];
    const days = [...totals.spendByDay.keys()].sort((left, right) => left - right);
    const firstDay = days[0]!;
    const lastDay = days[days.length - 1]!;
    let total = 0;
    for (const spend of totals.spendByDay.values()) total += spend;
    const x = days.length - 1;
    const firstDaySpend = totals.spendByDay.get(firstDay)!;
    summaries.push({
      customerId,
      currency,
      x,
      tx: (lastDay - firstDay) / 7,
      T: (asOfDay - firstDay) / 7,
      transactions: days.length,
      firstPurchaseAt: totals.firstAt,
      lastPurchaseAt: totals.lastAt,
      recencyDays: asOfDay - lastDay,
      totalSpendMinor: total,
      meanRepeatSpendMinor: x === 0 ? 0 : (total - firstDaySpend) / x,
    });
  }
  return summaries.sort((left, right) =>
    left.currency !== right.currency
      ? left.currency < right.currency
        ? -1
        : 1
      : left.customerId < right.customerId
        ? -1
        : left.customerId > right.customerId
          ? 1
          : 0,
  );
}

/**
 * Transactions (distinct UTC days with a counted order) of each customer in one currency after the day of `from` and up
 * to `to` inclusive: the holdout-period counts. Keyed by customer id.
 */
export function transactionsBetween(
  orders: readonly AnalyticsOrder[],
  currency: string,
  from: Timestamp,
  to: Timestamp,
): Map<string, number> {
  const fromDay = utcDay(from);
  const toMs = Date.parse(to);
  const days = new Map<string, Set<number>>();
  for (const order of orders) {
    if (!counted(order) || order.total.currency !== currency || Date.parse(order.placedAt) > toMs) continue;
    const day = utcDay(order.placedAt);
    if (day <= fromDay) continue;
    let set = days.get(order.customerId);
    if (!set) days.set(order.customerId, (set = new Set()));
    set.add(day);
  }
  return new Map([...days].map(([customerId, set]) => [customerId, set.size]));
}
