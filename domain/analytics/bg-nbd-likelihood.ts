import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import { digamma } from './digamma.js';
import { logGamma } from './log-gamma.js';

/**
 * Customers grouped by identical (x, tx, T), as columns: with day-granular purchase dates most histories repeat
 * (every one-time buyer of a given first day is the same triple), so the likelihood visits each triple once.
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
}

/** Groups histories by identical (x, tx, T) triples and by x. */
export function groupHistories(histories: readonly RepeatHistory[]): GroupedHistories {
  const index = new Map<number, Map<number, Map<number, number>>>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const count: number[] = [];
  const byFrequency = new Map<number, number>();
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
    byFrequency.set(history.x, (byFrequency.get(history.x) ?? 0) + 1);
  }
  return {
    customers: histories.length,
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    count: Float64Array.from(count),
    frequencies: Float64Array.from(byFrequency.keys()),
    frequencyCounts: Float64Array.from(byFrequency.values()),
  };
}

/** ln(1 + eᵈ) without overflow. */
const softplus = (d: number) => (d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d)));

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
  for (let index = 0; index < groups.frequencies.length; index += 1) {
    const x = groups.frequencies[index]!;
    const n = groups.frequencyCounts[index]!;
    total += n * (logGamma(r + x) - logGammaR + r * logAlpha + logGammaAB + logGamma(b + x) - logGammaB - logGamma(a + b + x));
    if (gradient) {
      const digammaABX = digamma(a + b + x);
      gradientR += n * (digamma(r + x) - digammaR + logAlpha);
      gradientAlpha += (n * r) / alpha;
      gradientA += n * (digammaAB - digammaABX);
      gradientB += n * (digammaAB + digamma(b + x) - digammaB - digammaABX);
    }
  }

  // The terms that need the whole triple: once per group.
  for (let index = 0; index < groups.count.length; index += 1) {
    const x = groups.x[index]!;
    const n = groups.count[index]!;
    const rx = r + x;
    const logAlphaT = Math.log(alpha + groups.T[index]!);
    let sum = -rx * logAlphaT;
    // w: the share of the likelihood in which the customer dropped out after the last purchase.
    let w = 0;
    let logAlphaTx = 0;
    if (x > 0) {
      logAlphaTx = Math.log(alpha + groups.tx[index]!);
      const d = logA - Math.log(b + x - 1) + rx * (logAlphaT - logAlphaTx);
      sum += softplus(d);
      w = 1 / (1 + Math.exp(-d));
    }
    total += n * sum;
    if (gradient) {
      const alphaT = alpha + groups.T[index]!;
      gradientR += n * (-logAlphaT + w * (logAlphaT - logAlphaTx));
      gradientAlpha += n * (-rx / alphaT + (x > 0 ? w * (rx / alphaT - rx / (alpha + groups.tx[index]!)) : 0));
      if (x > 0) {
        gradientA += (n * w) / a;
        gradientB -= (n * w) / (b + x - 1);
      }
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
