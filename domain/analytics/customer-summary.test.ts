import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../shared/money.js';
import type { PurchaseState } from '../purchase/purchase.js';
import { summarisePurchases, transactionsBetween, type AnalyticsOrder } from './customer-summary.js';

const order = (
  customerId: string,
  placedAt: string,
  amountMinor: number,
  currency = 'USD',
  state: PurchaseState = 'completed',
): AnalyticsOrder => ({
  customerId,
  placedAt,
  state,
  total: { amountMinor, currency: currency as CurrencyCode },
});

describe('summarisePurchases', () => {
  const orders = [
    order('ann', '2024-01-01T09:00:00.000Z', 1000),
    order('ann', '2024-01-01T18:30:00.000Z', 500), // same UTC day: one transaction of 1500
    order('ann', '2024-01-15T10:00:00.000Z', 2000),
    order('ann', '2024-01-29T10:00:00.000Z', 4000, 'USD', 'refunded'), // refunded: not a transaction
    order('ann', '2024-02-12T23:59:59.999Z', 3000),
    order('ann', '2024-03-01T00:00:00.000Z', 9999), // after the as-of date
    order('ann', '2024-01-20T12:00:00.000Z', 700, 'EUR'), // another currency: another summary
    order('bob', '2024-02-26T08:00:00.000Z', 2500, 'USD', 'placed'),
  ];
  const summaries = summarisePurchases(orders, '2024-02-26T20:00:00.000Z');

  it('makes one summary per customer and currency, sorted by currency then customer', () => {
    expect(summaries.map((summary) => `${summary.currency}/${summary.customerId}`)).toEqual(['EUR/ann', 'USD/ann', 'USD/bob']);
  });

  it('counts same-day orders as one transaction, leaves refunds and later orders out, and measures weeks in whole days', () => {
    expect(summaries[1]).toEqual({
      customerId: 'ann',
      currency: 'USD',
      x: 2,
      tx: 42 / 7, // 2024-01-01 → 2024-02-12
      T: 56 / 7, // 2024-01-01 → 2024-02-26
      transactions: 3,
      firstPurchaseAt: '2024-01-01T09:00:00.000Z',
      lastPurchaseAt: '2024-02-12T23:59:59.999Z',
      recencyDays: 14,
      totalSpendMinor: 6500,
      meanRepeatSpendMinor: (2000 + 3000) / 2,
    });
  });

  it('gives a first purchase on the as-of day T = 0 and no repeat spend', () => {
    expect(summaries[2]).toMatchObject({ x: 0, tx: 0, T: 0, recencyDays: 0, totalSpendMinor: 2500, meanRepeatSpendMinor: 0 });
  });

  it('ignores a customer whose only orders were refunded', () => {
    expect(summarisePurchases([order('cy', '2024-01-01T00:00:00.000Z', 100, 'USD', 'refunded')], '2024-02-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('transactionsBetween', () => {
  it('counts distinct days with a counted order after the start day and up to the end, in one currency', () => {
    const orders = [
      order('ann', '2024-01-31T12:00:00.000Z', 100), // on the calibration end day: not holdout
      order('ann', '2024-02-01T01:00:00.000Z', 100),
      order('ann', '2024-02-01T22:00:00.000Z', 100), // same day
      order('ann', '2024-02-20T10:00:00.000Z', 100, 'USD', 'refunded'),
      order('ann', '2024-03-31T00:00:00.000Z', 100),
      order('ann', '2024-04-01T00:00:00.000Z', 100), // after the end
      order('bob', '2024-02-10T00:00:00.000Z', 100, 'EUR'),
    ];
    expect(transactionsBetween(orders, 'USD', '2024-01-31T00:00:00.000Z', '2024-03-31T00:00:00.000Z')).toEqual(new Map([['ann', 2]]));
  });
});
