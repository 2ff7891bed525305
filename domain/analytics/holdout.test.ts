import { describe, expect, it } from 'vitest';
import type { BgNbdParameters } from './bg-nbd-model.js';
import { expectedTransactions, expectedTransactionsOfNewCustomer } from './bg-nbd-predict.js';
import { evaluateHoldout } from './holdout.js';

const PAPER: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('evaluateHoldout', () => {
  const customers = [
    { history: { x: 0, tx: 0, T: 30 }, holdoutTransactions: 1 },
    { history: { x: 0, tx: 0, T: 35 }, holdoutTransactions: 0 },
    { history: { x: 2, tx: 20, T: 30 }, holdoutTransactions: 3 },
    { history: { x: 7, tx: 29, T: 30 }, holdoutTransactions: 5 },
    { history: { x: 12, tx: 33, T: 35 }, holdoutTransactions: 9 },
  ];
  const evaluation = evaluateHoldout(PAPER, customers, 39);

  it('groups by calibration repeat transactions 0 … 6 and 7+, with actual and conditional predicted totals', () => {
    expect(evaluation.byCalibrationFrequency.map((group) => group.label)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    expect(evaluation.byCalibrationFrequency.map((group) => group.customers)).toEqual([2, 0, 1, 0, 0, 0, 0, 2]);
    expect(evaluation.byCalibrationFrequency.map((group) => group.actual)).toEqual([1, 0, 3, 0, 0, 0, 0, 14]);
    const sevenPlus = evaluation.byCalibrationFrequency[7]!;
    expect(sevenPlus.predicted).toBeCloseTo(
      expectedTransactions(PAPER, customers[3]!.history, 39) + expectedTransactions(PAPER, customers[4]!.history, 39),
      12,
    );
    expect(evaluation.actual).toBe(18);
    expect(evaluation.predicted).toBeCloseTo(
      customers.reduce((sum, customer) => sum + expectedTransactions(PAPER, customer.history, 39), 0),
      12,
    );
  });

  it('also gives the unconditional forecast from the ages alone and the cumulative totals to the end of the holdout', () => {
    const unconditional = customers.reduce(
      (sum, { history }) =>
        sum + expectedTransactionsOfNewCustomer(PAPER, history.T + 39) - expectedTransactionsOfNewCustomer(PAPER, history.T),
      0,
    );
    expect(evaluation.predictedUnconditional).toBeCloseTo(unconditional, 12);
    expect(evaluation.cumulativeActual).toBe(0 + 0 + 2 + 7 + 12 + 18);
    expect(evaluation.cumulativePredicted).toBeCloseTo(
      3 * expectedTransactionsOfNewCustomer(PAPER, 69) + 2 * expectedTransactionsOfNewCustomer(PAPER, 74),
      12,
    );
  });
});
