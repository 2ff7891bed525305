import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { expectedTransactions, expectedTransactionsOfNewCustomer } from './bg-nbd-predict.js';

export interface HoldoutCustomer {
  /** The calibration-period history. */
  readonly history: RepeatHistory;
  /** Transactions observed in the holdout period. */
  readonly holdoutTransactions: number;
}

export interface HoldoutGroup {
  /** Calibration repeat transactions: 0 … 6, and 7 for "7 or more". */
  readonly calibrationRepeatTransactions: number;
  readonly label: string;
  readonly customers: number;
  readonly actual: number;
  /** Σ E[Y(t) | x, tx, T] over the group's customers. */
  readonly predicted: number;
}

export interface HoldoutEvaluation {
  readonly customers: number;
  readonly holdoutWeeks: number;
  /** Σ actual holdout transactions. */
  readonly actual: number;
  /** Σ E[Y(t) | x, tx, T]: each customer's own history conditions the forecast (the papers' conditional-expectation figure). */
  readonly predicted: number;
  /** Σ E[X(T + t)] − E[X(T)]: the forecast from the cohort's ages alone (the papers' tracking figure). */
  readonly predictedUnconditional: number;
  /** Repeat transactions from each first purchase to the end of the holdout: actual Σ (x + holdout) against Σ E[X(T + t)]. */
  readonly cumulativeActual: number;
  readonly cumulativePredicted: number;
  readonly byCalibrationFrequency: readonly HoldoutGroup[];
}

const LAST_GROUP = 7;

/** Actual against predicted repeat transactions in a holdout period of `holdoutWeeks`, in total and by calibration x (0 … 7+). */
export function evaluateHoldout(
  parameters: BgNbdParameters,
  customers: readonly HoldoutCustomer[],
  holdoutWeeks: number,
): HoldoutEvaluation {
  const groups = Array.from({ length: LAST_GROUP + 1 }, () => ({ customers: 0, actual: 0, predicted: 0 }));
  const newCustomerExpectation = new Map<number, number>();
  const cumulative = (t: number) => {
    let value = newCustomerExpectation.get(t);
    if (value === undefined) newCustomerExpectation.set(t, (value = expectedTransactionsOfNewCustomer(parameters, t)));
    return value;
  };
  let predictedUnconditional = 0;
  let cumulativeActual = 0;
  let cumulativePredicted = 0;
  for (const customer of customers) {
    const group = groups[Math.min(customer.history.x, LAST_GROUP)]!;
    group.customers += 1;
    group.actual += customer.holdoutTransactions;
    group.predicted += expectedTransactions(parameters, customer.history, holdoutWeeks);
    const untilEnd = cumulative(customer.history.T + holdoutWeeks);
    predictedUnconditional += untilEnd - cumulative(customer.history.T);
    cumulativeActual += customer.history.x + customer.holdoutTransactions;
    cumulativePredicted += untilEnd;
  }
  return {
    customers: customers.length,
    holdoutWeeks,
    actual: groups.reduce((sum, group) => sum + group.actual, 0),
    predicted: groups.reduce((sum, group) => sum + group.predicted, 0),
    predictedUnconditional,
    cumulativeActual,
    cumulativePredicted,
    byCalibrationFrequency: groups.map((group, x) => ({
      calibrationRepeatTransactions: x,
      label: x === LAST_GROUP ? `${x}+` : `${x}`,
      ...group,
    })),
  };
}
