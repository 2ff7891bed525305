import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bg-nbd-fit.js';
import { bgNbdLogLikelihood, groupHistories } from './bg-nbd-likelihood.js';
import type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
import {
  expectedTransactions,
  expectedTransactionsIfAlive,
  expectedTransactionsOfNewCustomer,
  probabilityAlive,
  probabilityNoTransactions,
} from './bg-nbd-predict.js';

/** The parameters published for the CDNOW sample (Fader, Hardie & Lee 2005). */
const PAPER: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/**
 * Reference values at PAPER, computed with 30-digit arithmetic straight from the paper's equations
 * (mpmath hyp2f1, not the rewritten form used here): [history, ln L, P(alive), E[Y(39)], E[Y(52)], P(no purchase in 39)].
 */
const REFERENCE: readonly (readonly [RepeatHistory, number, number, number, number, number])[] = [
  [{ x: 0, tx: 0, T: 38.86 }, -0.55471327643815844789, 1, 0.195098052011262641, 0.25207302228245893134, 0.8554494592166815482],
  [
    { x: 2, tx: 30.43, T: 38.86 },
    -9.4586063070662712187,
    0.7265785700806729129,
    1.2260281747671444637,
    1.5587208064320879768,
    0.4453728620829955636,
  ],
  [
    { x: 7, tx: 35.71, T: 38.86 },
    -22.156078001424436839,
    0.86006712468864460554,
    4.4722422040144570247,
    5.6272098791409613767,
    0.14812653084903858807,
  ],
  [
    { x: 1, tx: 2, T: 36 },
    -4.4946360588342895848,
    0.23689010165942110946,
    0.24076806612455440732,
    0.3072731580206126902,
    0.8654142077208204169,
  ],
  [
    { x: 25, tx: 38, T: 38.86 },
    -42.402314184504308859,
    0.95255447847363085092,
    16.77694052560673264,
    20.98988849479622412,
    0.047445607664389961406,
  ],
  [
    { x: 3, tx: 5, T: 38 },
    -9.633806246125832548,
    0.040613381479274654774,
    0.099177987924125127798,
    0.12554755272323588663,
    0.96428761546645774113,
  ],
];

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe('BG/NBD at the published CDNOW parameters', () => {
  it.each(REFERENCE)('%o: likelihood, P(alive), expectations and P(no purchase)', (history, logL, alive, in39, in52, none39) => {
    expect(relativeError(bgNbdLogLikelihood(PAPER, groupHistories([history])), logL)).toBeLessThan(1e-12);
    expect(relativeError(probabilityAlive(PAPER, history), alive)).toBeLessThan(1e-12);
    expect(relativeError(expectedTransactions(PAPER, history, 39), in39)).toBeLessThan(1e-11);
    expect(relativeError(expectedTransactions(PAPER, history, 52), in52)).toBeLessThan(1e-11);
    expect(relativeError(probabilityNoTransactions(PAPER, history, 39), none39)).toBeLessThan(1e-12);
  });

  it.each([
    [1, 0.053267891171658279927],
    [39, 1.1967231933208168419],
    [78, 1.8605190579427685363],
    [520, 4.9746178618496597289],
  ])('E[X(%d)] of a new customer', (t, expected) => {
    expect(relativeError(expectedTransactionsOfNewCustomer(PAPER, t), expected)).toBeLessThan(1e-11);
  });

  it('has no singularity at a = 1 (the paper formula divides by a − 1)', () => {
    const near = (a: number) => expectedTransactionsIfAlive({ ...PAPER, a }, 3, 30, 39);
    expect(Number.isFinite(near(1))).toBe(true);
    expect(near(1)).toBeCloseTo((near(1 - 1e-7) + near(1 + 1e-7)) / 2, 9);
    expect(expectedTransactionsIfAlive(PAPER, 3, 30, 0)).toBe(0);
  });

  it('gives every one-time buyer P(alive) = 1, whatever their age', () => {
    expect(probabilityAlive(PAPER, { x: 0, tx: 0, T: 1 })).toBe(1);
    expect(probabilityAlive(PAPER, { x: 0, tx: 0, T: 500 })).toBe(1);
  });
});

describe('bgNbdLogLikelihood', () => {
  const histories: RepeatHistory[] = [
    { x: 0, tx: 0, T: 30 },
    { x: 0, tx: 0, T: 30 },
    { x: 0, tx: 0, T: 12.5 },
    { x: 2, tx: 10, T: 30 },
    { x: 2, tx: 10, T: 30 },
    { x: 5, tx: 28, T: 35 },
    { x: 1, tx: 3, T: 38 },
  ];

  it('groups identical triples and counts them, and the grouped sum equals the per-customer sum', () => {
    const groups = groupHistories(histories);
    expect(groups.customers).toBe(7);
    expect([...groups.count]).toEqual([2, 1, 2, 1, 1]);
    expect([...groups.frequencies]).toEqual([0, 2, 5, 1]);
    expect([...groups.frequencyCounts]).toEqual([3, 2, 1, 1]);
    const oneByOne = histories.reduce((sum, history) => sum + bgNbdLogLikelihood(PAPER, groupHistories([history])), 0);
    expect(bgNbdLogLikelihood(PAPER, groups)).toBeCloseTo(oneByOne, 10);
  });

  it('returns the gradient on log-parameters (checked by central differences)', () => {
    const groups = groupHistories(histories);
    const gradient = new Float64Array(4);
    bgNbdLogLikelihood(PAPER, groups, gradient);
    const names = ['r', 'alpha', 'a', 'b'] as const;
    names.forEach((name, index) => {
      const h = 1e-6;
      const at = (logShift: number) => bgNbdLogLikelihood({ ...PAPER, [name]: PAPER[name] * Math.exp(logShift) }, groups);
      expect(gradient[index]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
    });
  });
});

/** mulberry32: a small seeded generator, so the simulated population is the same on every run. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Customers drawn from a BG/NBD process whose mixing distributions need no special sampler:
 * r = 1 makes λ ~ Gamma(1, α) exponential, a = 1 makes p ~ Beta(1, b) = 1 − U^(1/b).
 */
function simulate(count: number, alpha: number, b: number, seed: number): RepeatHistory[] {
  const uniform = seededUniform(seed);
  return Array.from({ length: count }, () => {
    const T = 39 - Math.floor(uniform() * 13);
    const rate = -Math.log(1 - uniform()) / alpha;
    const dropout = 1 - Math.pow(uniform(), 1 / b);
    let x = 0;
    let tx = 0;
    let time = 0;
    // Alive at the first purchase; after each repeat purchase the customer drops out with probability p.
    for (;;) {
      time += -Math.log(1 - uniform()) / rate;
      if (time > T) break;
      x += 1;
      tx = time;
      if (uniform() < dropout) break;
    }
    return { x, tx, T };
  });
}

describe('fitBgNbd', () => {
  it('recovers the parameters of a simulated population (r = 1, α = 6, a = 1, b = 3; 20,000 customers)', () => {
    const histories = simulate(20_000, 6, 3, 42);
    const fit = fitBgNbd(histories);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(20_000);
    expect(fit.parameters.r).toBeGreaterThan(0.9);
    expect(fit.parameters.r).toBeLessThan(1.1);
    expect(fit.parameters.alpha).toBeGreaterThan(5.2);
    expect(fit.parameters.alpha).toBeLessThan(6.8);
    expect(fit.parameters.a).toBeGreaterThan(0.8);
    expect(fit.parameters.a).toBeLessThan(1.25);
    expect(fit.parameters.b).toBeGreaterThan(2.3);
    expect(fit.parameters.b).toBeLessThan(3.9);
  });

  it('stops at a stationary point: the gradient there is zero and the true parameters score lower', () => {
    const histories = simulate(3_000, 6, 3, 7);
    const fit = fitBgNbd(histories);
    const groups = groupHistories(histories);
    const gradient = new Float64Array(4);
    expect(bgNbdLogLikelihood(fit.parameters, groups, gradient)).toBeCloseTo(fit.logLikelihood, 8);
    // The fit stops when the gradient of the mean log-likelihood is below 1e-7: 3,000 × 1e-7 for the total.
    for (const component of gradient) expect(Math.abs(component)).toBeLessThan(3e-4);
    expect(fit.logLikelihood).toBeGreaterThan(bgNbdLogLikelihood({ r: 1, alpha: 6, a: 1, b: 3 }, groups));
  });

  it('refuses an empty population', () => {
    expect(() => fitBgNbd([])).toThrow(RangeError);
  });
});
