import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { digamma } from './digamma.js';
import { logGamma } from './log-gamma.js';

/**
 * Customers grouped by identical (x, tx, T), as columns: with day-granular purchase dates most histories repeat
 * (every one-time buyer of a given first day is the same triple), so the likelihood visits each triple once, and it
 * takes the logarithms of α + T and α + tx once per distinct T and tx.
 */
export interface GroupedHistories {
  readonly customers: number;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly count: Float64Array;
  /** The distinct values of x and how many customers have each: the log-gamma terms depend on x alone. */
  readonly frequencies: Float64Array;
  readonly frequencyCounts: Float64Array;
  /** Per group, the index of its x in `frequencies`, of its T in `ages` and of its tx in `recencies`. */
  readonly frequencyIndex: Int32Array;
  readonly ages: Float64Array;
  readonly ageIndex: Int32Array;
  readonly recencies: Float64Array;
  readonly recencyIndex: Int32Array;
}

/** The position of each distinct value, in order of first appearance. */
function distinctIndex(values: readonly number[]): [Float64Array, Int32Array] {
  const positions = new Map<number, number>();
  const index = new Int32Array(values.length);
  values.forEach((value, at) => {
    let position = positions.get(value);
    if (position === undefined) positions.set(value, (position = positions.size));
    index[at] = position;
  });
  return [Float64Array.from(positions.keys()), index];
}

/** Groups histories by identical (x, tx, T) triples and by x. */
export function groupHistories(histories: readonly RepeatHistory[]): GroupedHistories {
  const index = new Map<number, Map<number, Map<number, number>>>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const count: number[] = [];
  for (const history of histories) {
    let byRecency = index.get(history.x);
    if (!byRecency) index.set(history.x, (byRecency = new Map()));
    let byAge = byRecency.get(history.tx);
    if (!byAge) byRecency.set(history.tx, (byAge = new Map()));
    const group = byAge.get(history.T);
    if (group === undefined) {
      byAge.set(history.T, x.length);
      x.push(history.x);
      tx.push(history.tx);
      T.push(history.T);
      count.push(1);
    } else {
      count[group]! += 1;
    }
  }
  const [frequencies, frequencyIndex] = distinctIndex(x);
  const frequencyCounts = new Float64Array(frequencies.length);
  count.forEach((n, group) => (frequencyCounts[frequencyIndex[group]!]! += n));
  const [ages, ageIndex] = distinctIndex(T);
  const [recencies, recencyIndex] = distinctIndex(tx);
  return {
    customers: histories.length,
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    count: Float64Array.from(count),
    frequencies,
    frequencyCounts,
    frequencyIndex,
    ages,
    ageIndex,
    recencies,
    recencyIndex,
  };
}

const logOfShifted = (values: Float64Array, shift: number) => {
  const logs = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1) logs[index] = Math.log(shift + values[index]!);
  return logs;
};

const inverseOfShifted = (values: Float64Array, shift: number) => {
  const inverses = new Float64Array(values.length);
  for (let index = 0; index < values.length; index += 1) inverses[index] = 1 / (shift + values[index]!);
  return inverses;
};

/**
 * The BG/NBD log-likelihood of all grouped histories (the paper's equation 6, summed):
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b) + ln[(α+T)^−(r+x) + 𝟙(x>0) a/(b+x−1) (α+tx)^−(r+x)].
 * When `gradient` is given, it receives ∂ ln L / ∂(ln r, ln α, ln a, ln b).
 */
export function bgNbdLogLikelihood(parameters: BgNbdParameters, groups: GroupedHistories, gradient?: Float64Array): number {
  const { r, alpha, a, b } = parameters;
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  let total = 0;
  let gradientR = 0;
  let gradientAlpha = 0;
  let gradientA = 0;
  let gradientB = 0;

  // The terms that depend on x only: once per distinct x.
  const logGammaR = logGamma(r);
  const logGammaB = logGamma(b);
  const logGammaAB = logGamma(a + b);
  const digammaR = gradient ? digamma(r) : 0;
  const digammaB = gradient ? digamma(b) : 0;
  const digammaAB = gradient ? digamma(a + b) : 0;
  const frequencies = groups.frequencies;
  // ln(a / (b + x − 1)) per distinct x (unused for x = 0).
  const logDropoutOdds = new Float64Array(frequencies.length);
  for (let index = 0; index < frequencies.length; index += 1) {
    const x = frequencies[index]!;
    const n = groups.frequencyCounts[index]!;
    logDropoutOdds[index] = x > 0 ? logA - Math.log(b + x - 1) : 0;
    total += n * (logGamma(r + x) - logGammaR + r * logAlpha + logGammaAB + logGamma(b + x) - logGammaB - logGamma(a + b + x));
    if (gradient) {
      const digammaABX = digamma(a + b + x);
      gradientR += n * (digamma(r + x) - digammaR + logAlpha);
      gradientAlpha += (n * r) / alpha;
      gradientA += n * (digammaAB - digammaABX);
      gradientB += n * (digammaAB + digamma(b + x) - digammaB - digammaABX);
    }
  }

  // ln(α + T) and ln(α + tx): once per distinct value.
  const logAlphaT = logOfShifted(groups.ages, alpha);
  const logAlphaTx = logOfShifted(groups.recencies, alpha);
  const inverseAlphaT = gradient ? inverseOfShifted(groups.ages, alpha) : logAlphaT;
  const inverseAlphaTx = gradient ? inverseOfShifted(groups.recencies, alpha) : logAlphaTx;

  // The terms that need the whole triple: once per group.
  const { x: xs, count, frequencyIndex, ageIndex, recencyIndex } = groups;
  for (let index = 0; index < count.length; index += 1) {
    const x = xs[index]!;
    const n = count[index]!;
    const rx = r + x;
    const age = ageIndex[index]!;
    const logAge = logAlphaT[age]!;
    if (x === 0) {
      total -= n * rx * logAge;
      if (gradient) {
        gradientR -= n * logAge;
        gradientAlpha -= n * rx * inverseAlphaT[age]!;
      }
      continue;
    }
    const recency = recencyIndex[index]!;
    const logRecency = logAlphaTx[recency]!;
    const frequency = frequencyIndex[index]!;
    // d: log-odds that the customer dropped out after the last purchase; w = sigmoid(d) its posterior weight.
    const d = logDropoutOdds[frequency]! + rx * (logAge - logRecency);
    const e = Math.exp(-Math.abs(d));
    total += n * (-rx * logAge + (d > 0 ? d : 0) + Math.log1p(e));
    if (gradient) {
      const w = d > 0 ? 1 / (1 + e) : e / (1 + e);
      const inverseAge = inverseAlphaT[age]!;
      gradientR += n * (-logAge + w * (logAge - logRecency));
      gradientAlpha += n * rx * (-inverseAge + w * (inverseAge - inverseAlphaTx[recency]!));
      gradientA += (n * w) / a;
      gradientB -= (n * w) / (b + x - 1);
    }
  }

  if (gradient) {
    gradient[0] = gradientR * r;
    gradient[1] = gradientAlpha * alpha;
    gradient[2] = gradientA * a;
    gradient[3] = gradientB * b;
  }
  return total;
}
