import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { hypergeometricSeriesTail } from './hypergeometric.js';

/**
 * P(alive at T | x, tx, T) = 1 / (1 + 𝟙(x>0) a/(b+x−1) ((α+T)/(α+tx))^(r+x)) (the paper's equation 11).
 * Every customer without a repeat purchase gets 1: in the BG/NBD a customer can only drop out right after a purchase.
 */
export function probabilityAlive(parameters: BgNbdParameters, history: RepeatHistory): number {
  const { x, tx, T } = history;
  if (x === 0) return 1;
  const { r, alpha, a, b } = parameters;
  const d = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(d));
}

/**
 * E[Y(t) | alive at T, x, T]: expected transactions in (T, T + t] of a customer known to be alive.
 * The paper's equation 10 divided by P(alive), (a+b+x−1)/(a−1) [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)]
 * with z = t/(α+T+t), rewritten with Euler's transformation as
 * (a+b+x−1) [(1 − (1−z)^(a−1))/(a−1) − (1−z)^(a−1) S], S = (₂F₁(a+b−1−r, a−1; a+b+x−1; z) − 1)/(a−1),
 * which has no 0/0 at a = 1 and no huge ₂F₁ times a tiny power for frequent buyers.
 */
export function expectedTransactionsIfAlive(parameters: BgNbdParameters, x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = parameters;
  const c = a + b + x - 1;
  const z = t / (alpha + T + t);
  const logSurvival = Math.log1p(-z);
  const exponent = a - 1;
  const power = Math.exp(exponent * logSurvival);
  const head = Math.abs(exponent) < 1e-12 ? -logSurvival : -Math.expm1(exponent * logSurvival) / exponent;
  return c * (head - power * hypergeometricSeriesTail(a + b - 1 - r, exponent, c, z));
}

/** E[Y(t) | x, tx, T]: expected transactions in the next t weeks (the paper's equation 10). */
export function expectedTransactions(parameters: BgNbdParameters, history: RepeatHistory, t: number): number {
  return probabilityAlive(parameters, history) * expectedTransactionsIfAlive(parameters, history.x, history.T, t);
}

/** E[X(t)]: expected repeat transactions of a new customer in the first t weeks after the first purchase (equation 9). */
export function expectedTransactionsOfNewCustomer(parameters: BgNbdParameters, t: number): number {
  return expectedTransactionsIfAlive(parameters, 0, 0, t);
}

/**
 * P(no transaction in (T, T + t] | x, tx, T) = 1 − P(alive) + P(alive) ((α+T)/(α+T+t))^(r+x):
 * a dead customer never buys; a live one buys nothing with probability E[e^(−λt)] over the posterior λ ~ Gamma(r+x, α+T).
 */
export function probabilityNoTransactions(parameters: BgNbdParameters, history: RepeatHistory, t: number): number {
  const alive = probabilityAlive(parameters, history);
  const { r, alpha } = parameters;
  return 1 - alive + alive * Math.exp((r + history.x) * (Math.log(alpha + history.T) - Math.log(alpha + history.T + t)));
}
