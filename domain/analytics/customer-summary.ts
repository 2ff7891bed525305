import type { Purchase } from '../purchase/purchase.js';
import type { Timestamp } from '../shared/timestamp.js';
import type { RepeatHistory } from './bg-nbd-model.js';
import { timestampMs } from './timestamp-ms.js';

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
export const utcDay = (timestamp: Timestamp): number => Math.floor(timestampMs(timestamp) / DAY_MS);

const counted = (order: AnalyticsOrder) => order.state !== 'refunded';

interface CustomerOrders {
  readonly customerId: string;
  readonly currency: string;
  firstAt: Timestamp;
  firstMs: number;
  lastAt: Timestamp;
  lastMs: number;
  /** Day numbers and amounts of the counted orders, in input order. */
  readonly days: number[];
  readonly amounts: number[];
}

/**
 * Summaries per customer and currency from an order list, as of `asOf`: refunded orders are left out, orders placed
 * after `asOf` are ignored, and all orders of one customer on one UTC day are one transaction (the literature's rule)
 * whose value is their sum. Times are whole days in weeks: tx = (last day − first day) / 7 and T = (as-of day − first
 * day) / 7 — the convention that reproduces the published CDNOW fits (a customer whose first purchase is on the as-of
 * day has T = 0). Sorted by currency, then customer id.
 */
export function summarisePurchases(orders: readonly AnalyticsOrder[], asOf: Timestamp): CustomerSummary[] {
  const asOfMs = timestampMs(asOf);
  const asOfDay = Math.floor(asOfMs / DAY_MS);
  const byCurrency = new Map<string, Map<string, CustomerOrders>>();
  for (const order of orders) {
    if (!counted(order)) continue;
    const placedMs = timestampMs(order.placedAt);
    if (placedMs > asOfMs) continue;
    const currency = order.total.currency;
    let customers = byCurrency.get(currency);
    if (!customers) byCurrency.set(currency, (customers = new Map()));
    let entry = customers.get(order.customerId);
    if (!entry) {
      entry = {
        customerId: order.customerId,
        currency,
        firstAt: order.placedAt,
        firstMs: placedMs,
        lastAt: order.placedAt,
        lastMs: placedMs,
        days: [],
        amounts: [],
      };
      customers.set(order.customerId, entry);
    }
    if (placedMs < entry.firstMs) {
      entry.firstMs = placedMs;
      entry.firstAt = order.placedAt;
    }
    if (placedMs > entry.lastMs) {
      entry.lastMs = placedMs;
      entry.lastAt = order.placedAt;
    }
    entry.days.push(Math.floor(placedMs / DAY_MS));
    entry.amounts.push(order.total.amountMinor);
  }
  const summaries: CustomerSummary[] = [];
  for (const currency of [...byCurrency.keys()].sort()) {
    const customers = byCurrency.get(currency)!;
    for (const customerId of [...customers.keys()].sort()) summaries.push(summarise(customers.get(customerId)!, asOfDay));
  }
  return summaries;
}

function summarise(entry: CustomerOrders, asOfDay: number): CustomerSummary {
  const firstDay = Math.floor(entry.firstMs / DAY_MS);
  const lastDay = Math.floor(entry.lastMs / DAY_MS);
  let total = 0;
  let firstDaySpend = 0;
  const distinctDays = new Set<number>();
  entry.days.forEach((day, index) => {
    const amount = entry.amounts[index]!;
    total += amount;
    if (day === firstDay) firstDaySpend += amount;
    distinctDays.add(day);
  });
  const x = distinctDays.size - 1;
  return {
    customerId: entry.customerId,
    currency: entry.currency,
    x,
    tx: (lastDay - firstDay) / 7,
    T: (asOfDay - firstDay) / 7,
    transactions: x + 1,
    firstPurchaseAt: entry.firstAt,
    lastPurchaseAt: entry.lastAt,
    recencyDays: asOfDay - lastDay,
    totalSpendMinor: total,
    meanRepeatSpendMinor: x === 0 ? 0 : (total - firstDaySpend) / x,
  };
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
  const toMs = timestampMs(to);
  const days = new Map<string, Set<number>>();
  for (const order of orders) {
    if (!counted(order) || order.total.currency !== currency) continue;
    const placedMs = timestampMs(order.placedAt);
    if (placedMs > toMs) continue;
    const day = Math.floor(placedMs / DAY_MS);
    if (day <= fromDay) continue;
    let set = days.get(order.customerId);
    if (!set) days.set(order.customerId, (set = new Set()));
    set.add(day);
  }
  return new Map([...days].map(([customerId, set]) => [customerId, set.size]));
}
