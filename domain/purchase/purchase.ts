import type { Timestamp } from '../shared/timestamp.js';
import { addTo, type Money, type MoneyTotals } from '../shared/money.js';
import { ok, type Result } from '../shared/result.js';

/** Where an order stands, as Order Management reports it; later states win over earlier ones. */
export const PURCHASE_STATES = ['placed', 'completed', 'refunded'] as const;
export type PurchaseState = (typeof PURCHASE_STATES)[number];

export interface Purchase {
  readonly orderId: string;
  readonly customerId: string;
  readonly state: PurchaseState;
  readonly total: Money;
  readonly placedAt: Timestamp;
}

/**
 * Merges a reported order state into what we know. Events may arrive out of order, so a state
 * never moves backwards: a `placed` arriving after `completed` changes nothing.
 */
export function mergePurchase(known: Purchase | null, reported: Purchase): Purchase {
  if (!known) return reported;
  return PURCHASE_STATES.indexOf(reported.state) > PURCHASE_STATES.indexOf(known.state) ? { ...known, state: reported.state } : known;
}

/** What a customer's orders add up to: refunded orders count neither as orders nor as spend. */
export interface PurchaseSummary {
  readonly ordersCount: number;
  readonly totalSpent: MoneyTotals;
  readonly firstOrderAt: Timestamp | null;
  readonly lastOrderAt: Timestamp | null;
  /**
   * How often the summary has changed. Orders change it without a new customer version, so the
   * version and this revision together name what a reader saw (the ETag).
   */
  readonly revision: number;
}

export const NO_PURCHASES: PurchaseSummary = { ordersCount: 0, totalSpent: {}, firstOrderAt: null, lastOrderAt: null, revision: 0 };

/**
 * How the summary changes when an order moves from `before` (null: unknown) to `after`; refused
 * when a total would grow past what is held exactly (see addTo).
 */
export function adjustSummary(summary: PurchaseSummary, before: Purchase | null, after: Purchase): Result<PurchaseSummary, string> {
  const counted = (purchase: Purchase | null) => purchase !== null && purchase.state !== 'refunded';
  let next = summary;
  const sign = counted(before) && !counted(after) ? -1 : !counted(before) && counted(after) ? 1 : 0;
  if (sign !== 0) {
    const totalSpent = addTo(next.totalSpent, after.total, sign);
    if (!totalSpent.ok) return totalSpent;
    next = { ...next, ordersCount: next.ordersCount + sign, totalSpent: totalSpent.value };
  }
  if (before === null) {
    next = {
      ...next,
      firstOrderAt: next.firstOrderAt === null || after.placedAt < next.firstOrderAt ? after.placedAt : next.firstOrderAt,
      lastOrderAt: next.lastOrderAt === null || after.placedAt > next.lastOrderAt ? after.placedAt : next.lastOrderAt,
    };
  }
  return ok(next);
}
