import { describe, expect, it } from 'vitest';
import type { BgNbdParameters } from './bg-nbd-model.js';
import { expectedTransactions, expectedTransactionsIfAlive } from './bg-nbd-predict.js';
import { customerLifetimeValue, discountedTransactionsIfAlive, WEEKS_PER_MONTH } from './clv.js';

const PAPER: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('customerLifetimeValue', () => {
  it('matches a 30-digit evaluation of Σ_k (E[Y(k m)] − E[Y((k−1) m)]) / 1.01^k × value (12 months, order value 40)', () => {
    expect(customerLifetimeValue(PAPER, { x: 2, tx: 30.43, T: 38.86 }, 40)).toBeCloseTo(58.890169336806890325, 9);
    expect(customerLifetimeValue(PAPER, { x: 0, tx: 0, T: 20 }, 40)).toBeCloseTo(15.525782870432534463, 9);
  });

  it('without discounting is the expected transactions over the whole period times the order value', () => {
    const history = { x: 2, tx: 30.43, T: 38.86 };
    const undiscounted = customerLifetimeValue(PAPER, history, 40, { monthlyDiscountRate: 0 });
    expect(undiscounted).toBeCloseTo(40 * 1.5630996522916256493, 9);
    expect(undiscounted).toBeCloseTo(40 * expectedTransactions(PAPER, history, 12 * WEEKS_PER_MONTH), 9);
  });

  it('discounts month k by (1 + rate)^k and takes the number of months as a parameter', () => {
    const ifAlive = (t: number) => expectedTransactionsIfAlive(PAPER, 3, 30, t);
    const oneMonth = discountedTransactionsIfAlive(PAPER, 3, 30, { months: 1, monthlyDiscountRate: 0.05 });
    expect(oneMonth).toBeCloseTo(ifAlive(WEEKS_PER_MONTH) / 1.05, 12);
    const twoMonths = discountedTransactionsIfAlive(PAPER, 3, 30, { months: 2, monthlyDiscountRate: 0.05 });
    expect(twoMonths).toBeCloseTo(oneMonth + (ifAlive(2 * WEEKS_PER_MONTH) - ifAlive(WEEKS_PER_MONTH)) / 1.05 ** 2, 12);
    expect(WEEKS_PER_MONTH).toBeCloseTo(4.348214, 6);
  });

  it('is zero for a customer the model thinks is gone, and scales with the order value', () => {
    const gone = { x: 3, tx: 1, T: 60 };
    expect(customerLifetimeValue(PAPER, gone, 40)).toBeLessThan(0.01 * customerLifetimeValue(PAPER, { x: 3, tx: 59, T: 60 }, 40));
    expect(customerLifetimeValue(PAPER, gone, 80)).toBeCloseTo(2 * customerLifetimeValue(PAPER, gone, 40), 12);
  });
});
