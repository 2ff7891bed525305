import { describe, expect, it } from 'vitest';
import { digamma } from './digamma.js';
import { hypergeometric2F1, hypergeometricSeriesTail } from './hypergeometric.js';
import { gammaSign, logGamma } from './log-gamma.js';

/** Reference values computed with 30-digit arithmetic (mpmath loggamma, digamma, hyp2f1). */
const LOG_GAMMA: readonly (readonly [number, number])[] = [
  [1e-8, 18.420680738180208884],
  [0.001, 6.9071788853838536617],
  [0.1, 2.252712651734205902],
  [0.5, 0.57236494292470008707],
  [1.5, -0.12078223763524522235],
  [2.5, 0.28468287047291915963],
  [3.7, 1.4280723266653881292],
  [7.25, 7.0521854507385394449],
  [10, 12.801827480081469611],
  [12.5, 18.734347511936445702],
  [33.3, 82.603723581654943008],
  [100, 359.13420536957539878],
  [1e4, 82099.717496442377273],
  [1e7, 151180949.36947391394],
];

const DIGAMMA: readonly (readonly [number, number])[] = [
  [1e-8, -100000000.57721564636],
  [0.001, -1000.5755719318102797],
  [0.1, -10.423754940411076232],
  [0.5, -1.9635100260214234794],
  [1.5, 0.036489973978576520559],
  [2.5, 0.70315664064524318723],
  [3.7, 1.1671535393615114409],
  [7.25, 1.9104535268837360284],
  [10, 2.2517525890667211076],
  [12.5, 2.4851956512749120482],
  [33.3, 3.4904672385202427773],
  [100, 4.6001618527380874002],
  [1e4, 9.2102903711428494036],
  [1e7, 16.118095600958318955],
];

/** [a, b, c, z, ₂F₁]: the BG/NBD shapes (small a, b near c), z near 1, negative z, and a few classics. */
const HYPERGEOMETRIC: readonly (readonly [number, number, number, number, number])[] = [
  [0.243, 2.426, 2.219, 0.3, 1.1005185330854730311],
  [3.243, 5.426, 5.219, 0.53, 12.897532688698261029],
  [1.243, 3.426, 3.219, 0.92, 32.021259467821914634],
  [10.24, 12.4, 12.2, 0.97, 7649376813419408.6427],
  [0.5, 0.5, 1.5, 0.25, 1.0471975511965977462],
  [2.5, 1.5, 3.2, -0.6, 0.56996846707517585766],
  [2.5, 1.5, 3.2, -3.0, 0.17890877850317425358],
  [30.2, 32.4, 32.2, 0.85, 1.1017014175596733153e25],
  [0.25, 2.2, 1.0, 0.999, 4973.7816910853999069],
  [1.5, 2.0, 4.0, 0.5, 1.6080810142133545342],
  [5.3, 7.1, 7.5, 0.75, 991.58636591571590075],
];

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('logGamma', () => {
  it.each(LOG_GAMMA)('ln Γ(%d) to 1e-13 relative', (x, expected) => {
    expect(relativeError(logGamma(x), expected)).toBeLessThan(1e-13);
  });

  it('is zero at 1 and 2 (absolute error, the relative one is meaningless at a zero)', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-14);
  });

  it('matches ln n! for integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n += 1) {
      logFactorial += Math.log(n);
      expect(Math.abs(logGamma(n + 1) - logFactorial)).toBeLessThan(1e-12 * Math.max(1, logFactorial));
    }
  });

  it('reflects negative arguments: ln |Γ(−0.45)|, ln |Γ(−2.3)| and their signs', () => {
    expect(relativeError(logGamma(-0.45), 1.2785385523288976053)).toBeLessThan(1e-13);
    expect(relativeError(logGamma(-2.3), 0.36956666345500803746)).toBeLessThan(1e-13);
    expect(gammaSign(-0.45)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
    expect(gammaSign(-2.3)).toBe(-1);
    expect(gammaSign(4.2)).toBe(1);
    expect(logGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(logGamma(-3)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('digamma', () => {
  // Relative to max(1, |ψ|): ψ has a zero at 1.4616…, where only the absolute error means anything.
  it.each(DIGAMMA)('ψ(%d) to 1e-13', (x, expected) => {
    expect(Math.abs(digamma(x) - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(1e-13);
  });

  it('is the derivative of logGamma (central difference)', () => {
    for (const x of [0.3, 1.7, 4.4, 25]) {
      const h = 1e-5 * x;
      expect(digamma(x)).toBeCloseTo((logGamma(x + h) - logGamma(x - h)) / (2 * h), 7);
    }
  });
});

describe('hypergeometric2F1', () => {
  it.each(HYPERGEOMETRIC)('₂F₁(%d, %d; %d; %d) to 1e-12 relative', (a, b, c, z, expected) => {
    expect(relativeError(hypergeometric2F1(a, b, c, z), expected)).toBeLessThan(1e-12);
  });

  it('reduces to closed forms: −ln(1 − z)/z, (1 − z)^(−a), arcsin(s)/s', () => {
    for (const z of [-5, -0.9, -0.2, 0.1, 0.5, 0.95, 0.999]) {
      expect(relativeError(hypergeometric2F1(1, 1, 2, z), -Math.log(1 - z) / z)).toBeLessThan(1e-12);
      expect(relativeError(hypergeometric2F1(0.7, 2.5, 2.5, z), Math.pow(1 - z, -0.7))).toBeLessThan(1e-12);
    }
    for (const s of [0.1, 0.5, 0.9, 0.97]) {
      expect(relativeError(hypergeometric2F1(0.5, 0.5, 1.5, s * s), Math.asin(s) / s)).toBeLessThan(1e-12);
    }
  });

  it('agrees on both sides of the switch to the connection formula', () => {
    const below = hypergeometric2F1(1.243, 3.426, 3.919, 0.9);
    const above = hypergeometric2F1(1.243, 3.426, 3.919, 0.9 + 1e-12);
    expect(relativeError(above, below)).toBeLessThan(1e-9);
  });

  it('is 1 at z = 0 and refuses z ≥ 1', () => {
    expect(hypergeometric2F1(2, 3, 4, 0)).toBe(1);
    expect(() => hypergeometric2F1(2, 3, 4, 1)).toThrow(RangeError);
  });
});

describe('hypergeometricSeriesTail', () => {
  it('is (₂F₁ − 1)/b, and finite at b = 0 where it tends to Σ (a)_n (n−1)! / ((c)_n n!) zⁿ', () => {
    expect(relativeError(hypergeometricSeriesTail(3.243, 5.426, 5.219, 0.53), (12.897532688698261029 - 1) / 5.426)).toBeLessThan(1e-12);
    // At b = 0 and a = c the tail is Σ zⁿ/n = −ln(1 − z).
    expect(relativeError(hypergeometricSeriesTail(2.5, 0, 2.5, 0.6), -Math.log(0.4))).toBeLessThan(1e-13);
  });
});
