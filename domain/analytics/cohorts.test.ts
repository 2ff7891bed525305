import { describe, expect, it } from 'vitest';
import type { CurrencyCode } from '../shared/money.js';
import { cohortRetention } from './cohorts.js';
import type { AnalyticsOrder } from './customer-summary.js';

const order = (customerId: string, placedAt: string, currency = 'USD', refunded = false): AnalyticsOrder => ({
  customerId,
  placedAt,
  state: refunded ? 'refunded' : 'completed',
  total: { amountMinor: 1000, currency: currency as CurrencyCode },
});

describe('cohortRetention', () => {
  it('groups customers by first-order month and counts who orders again in each later month up to the as-of month', () => {
    const orders = [
      order('ann', '2024-01-05T00:00:00.000Z'),
      order('ann', '2024-01-20T00:00:00.000Z'), // same month: not a return
      order('ann', '2024-03-02T00:00:00.000Z'),
      order('bob', '2024-01-31T23:59:59.000Z'),
      order('bob', '2024-02-01T00:00:00.000Z'),
      order('bob', '2024-03-15T00:00:00.000Z'),
      order('cy', '2023-12-10T00:00:00.000Z', 'USD', true), // refunded: cy's cohort is February
      order('cy', '2024-02-10T00:00:00.000Z'),
      order('dee', '2024-02-11T00:00:00.000Z', 'EUR'), // another currency
      order('ann', '2024-05-01T00:00:00.000Z'), // after as-of
    ];
    expect(cohortRetention(orders, 'USD', '2024-04-10T00:00:00.000Z')).toEqual([
      { cohort: '2024-01', customers: 2, returning: [1, 2, 0], retention: [0.5, 1, 0] },
      { cohort: '2024-02', customers: 1, returning: [0, 0], retention: [0, 0] },
    ]);
  });
});
