import { pearsonCorrelation } from './correlation.js';
import { digamma } from './digamma.js';
import { logGamma } from './log-gamma.js';
import { minimiseBfgs } from './minimise-bfgs.js';

/** A customer's repeat spend: `x` repeat transactions and `meanSpend` their average value (any unit; γ comes out in it). */
export interface RepeatSpend {
  readonly x: number;
  readonly meanSpend: number;
}

/**
 * Gamma-Gamma parameters (Fader, Hardie & Lee 2005, "RFM and CLV"): transaction values are Gamma(p, ν) around a
 * customer's mean, and ν ~ Gamma(q, γ) across customers. γ is in the unit of the spend fitted.
 */
export interface GammaGammaParameters {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

export interface GammaGammaFit {
  readonly parameters: GammaGammaParameters;
  readonly logLikelihood: number;
  /** Repeat customers (x ≥ 1) with a positive mean spend: the ones the model was fitted on. */
  readonly customers: number;
  /** Repeat customers left out because their mean spend is zero (the density is not defined there). */
  readonly excludedZeroSpend: number;
  /** Pearson's correlation of x and mean spend over the fitted customers: the model assumes they are independent. */
  readonly frequencySpendCorrelation: number;
  readonly iterations: number;
  readonly converged: boolean;
}

interface SpendColumns {
  readonly x: Float64Array;
  readonly logX: Float64Array;
  readonly spend: Float64Array;
  readonly logSpend: Float64Array;
  readonly frequencies: Float64Array;
  readonly frequencyCounts: Float64Array;
}

/**
 * Σ ln f(m̄ | p, q, γ, x) with f = Γ(px+q)/(Γ(px)Γ(q)) γ^q m̄^(px−1) x^(px) / (γ + x m̄)^(px+q), and its gradient on
 * (ln p, ln q, ln γ). The gamma-function terms depend on x alone and are computed once per distinct x.
 */
function logLikelihood(parameters: GammaGammaParameters, columns: SpendColumns, gradient?: Float64Array): number {
  const { p, q, gamma } = parameters;
  const logGammaQ = logGamma(q);
  const digammaQ = gradient ? digamma(q) : 0;
  const logGammaScale = Math.log(gamma);
  let total = 0;
  let gradientP = 0;
  let gradientQ = 0;
  let gradientGamma = 0;
  for (let index = 0; index < columns.frequencies.length; index += 1) {
    const x = columns.frequencies[index]!;
    const n = columns.frequencyCounts[index]!;
    total += n * (logGamma(p * x + q) - logGamma(p * x) - logGammaQ + q * logGammaScale);
    if (gradient) {
      const digammaShape = digamma(p * x + q);
      gradientP += n * x * (digammaShape - digamma(p * x));
      gradientQ += n * (digammaShape - digammaQ + logGammaScale);
      gradientGamma += (n * q) / gamma;
    }
  }
  for (let index = 0; index < columns.x.length; index += 1) {
    const x = columns.x[index]!;
    const px = p * x;
    const logScaled = Math.log(gamma + x * columns.spend[index]!);
    total += (px - 1) * columns.logSpend[index]! + px * columns.logX[index]! - (px + q) * logScaled;
    if (gradient) {
      gradientP += x * (columns.logSpend[index]! + columns.logX[index]! - logScaled);
      gradientQ -= logScaled;
      gradientGamma -= (px + q) / (gamma + x * columns.spend[index]!);
    }
  }
  if (gradient) {
    gradient[0] = gradientP * p;
    gradient[1] = gradientQ * q;
    gradient[2] = gradientGamma * gamma;
  }
  return total;
}

function columnsOf(spends: readonly RepeatSpend[]): SpendColumns {
  const n = spends.length;
  const x = new Float64Array(n);
  const logX = new Float64Array(n);
  const spend = new Float64Array(n);
  const logSpend = new Float64Array(n);
  const byFrequency = new Map<number, number>();
  for (let index = 0; index < n; index += 1) {
    const entry = spends[index]!;
    x[index] = entry.x;
    logX[index] = Math.log(entry.x);
    spend[index] = entry.meanSpend;
    logSpend[index] = Math.log(entry.meanSpend);
    byFrequency.set(entry.x, (byFrequency.get(entry.x) ?? 0) + 1);
  }
  return {
    x,
    logX,
    spend,
    logSpend,
    frequencies: Float64Array.from(byFrequency.keys()),
    frequencyCounts: Float64Array.from(byFrequency.values()),
  };
}

const fromLogs = (point: ArrayLike<number>): GammaGammaParameters => ({
  p: Math.exp(point[0]!),
  q: Math.exp(point[1]!),
  gamma: Math.exp(point[2]!),
});

/** The Gamma-Gamma log-likelihood of the given repeat customers (all must have x ≥ 1 and a positive mean spend). */
export function gammaGammaLogLikelihood(parameters: GammaGammaParameters, spends: readonly RepeatSpend[]): number {
  return logLikelihood(parameters, columnsOf(spends));
}

/**
 * Maximum-likelihood Gamma-Gamma fit on repeat customers: customers with x = 0 are ignored, those with a zero mean
 * spend are excluded and counted. BFGS on (ln p, ln q, ln γ) from p = 1, q = 2, γ = the mean spend (a prior mean of
 * about the observed one), on the mean log-likelihood per customer.
 */
export function fitGammaGamma(spends: readonly RepeatSpend[]): GammaGammaFit {
  const repeat = spends.filter((spend) => spend.x >= 1);
  const fitted = repeat.filter((spend) => spend.meanSpend > 0);
  if (fitted.length === 0) throw new RangeError('fitGammaGamma needs at least one repeat customer with a positive mean spend');
  const columns = columnsOf(fitted);
  const meanSpend = columns.spend.reduce((sum, value) => sum + value, 0) / fitted.length;
  const scale = 1 / fitted.length;
  const minimum = minimiseBfgs(
    (point, gradient) => {
      const value = -logLikelihood(fromLogs(point), columns, gradient) * scale;
      for (let index = 0; index < 3; index += 1) gradient[index] = -gradient[index]! * scale;
      return value;
    },
    [0, Math.log(2), Math.log(meanSpend)],
    { gradientTolerance: 1e-7 },
  );
  return {
    parameters: fromLogs(minimum.point),
    logLikelihood: -minimum.value * fitted.length,
    customers: fitted.length,
    excludedZeroSpend: repeat.length - fitted.length,
    frequencySpendCorrelation: pearsonCorrelation(columns.x, columns.spend),
    iterations: minimum.iterations,
    converged: minimum.converged,
  };
}

/**
 * E[M | x, m̄] = p (γ + x m̄) / (p x + q − 1): the expected value of a customer's future transactions, a weighted mean of
 * the population mean p γ / (q − 1) and the customer's own average. Infinite when the mean does not exist (p x + q ≤ 1).
 */
export function expectedAverageOrderValue(parameters: GammaGammaParameters, spend: RepeatSpend): number {
  const { p, q, gamma } = parameters;
  const denominator = p * spend.x + q - 1;
  if (denominator <= 0) return Number.POSITIVE_INFINITY;
  return (p * (gamma + spend.x * spend.meanSpend)) / denominator;
}
