import { bgNbdLogLikelihood, groupHistories, type GroupedHistories } from './bg-nbd-likelihood.js';
import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { minimiseBfgs } from './minimise-bfgs.js';

export interface BgNbdFit {
  readonly parameters: BgNbdParameters;
  readonly logLikelihood: number;
  readonly customers: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const fromLogs = (point: ArrayLike<number>): BgNbdParameters => ({
  r: Math.exp(point[0]!),
  alpha: Math.exp(point[1]!),
  a: Math.exp(point[2]!),
  b: Math.exp(point[3]!),
});

/**
 * Maximum-likelihood BG/NBD fit: BFGS on (ln r, ln α, ln a, ln b) with the analytic gradient, on the mean
 * log-likelihood per customer so the tolerance (every gradient component below 1e-7) does not depend on the population size.
 * Starts from r = a = b = 1 and α = the mean T (the rate scale of the data).
 */
export function fitBgNbd(histories: readonly RepeatHistory[] | GroupedHistories): BgNbdFit {
  const groups = 'count' in histories ? histories : groupHistories(histories);
  if (groups.customers === 0) throw new RangeError('fitBgNbd needs at least one customer');
  let meanT = 0;
  for (let index = 0; index < groups.count.length; index += 1) meanT += groups.count[index]! * groups.T[index]!;
  meanT = Math.max(meanT / groups.customers, 1e-3);
  const scale = 1 / groups.customers;
  const minimum = minimiseBfgs(
    (point, gradient) => {
      const value = -bgNbdLogLikelihood(fromLogs(point), groups, gradient) * scale;
      for (let index = 0; index < 4; index += 1) gradient[index] = -gradient[index]! * scale;
      return value;
    },
    [0, Math.log(meanT), 0, 0],
    { gradientTolerance: 1e-7 },
  );
  return {
    parameters: fromLogs(minimum.point),
    logLikelihood: -minimum.value * groups.customers,
    customers: groups.customers,
    iterations: minimum.iterations,
    converged: minimum.converged,
  };
}
