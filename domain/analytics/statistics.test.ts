import { describe, expect, it } from 'vitest';
import { pearsonCorrelation } from './correlation.js';
import { rocAuc } from './roc-auc.js';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([3, 3, 3, 3], [false, true, false, true])).toBe(0.5);
  });

  it('counts a tied positive–negative pair as one half', () => {
    // Pairs (positive, negative): (2,1) win, (2,2) tie, (3,1) win, (3,2) win → 3.5 / 4.
    expect(rocAuc([1, 2, 2, 3], [false, false, true, true])).toBe(0.875);
  });

  it('equals the direct count over all positive–negative pairs on a larger random set with many ties', () => {
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const scores = Array.from({ length: 400 }, () => Math.floor(next() * 20));
    const labels = scores.map((score) => next() < 0.2 + score / 30);
    let wins = 0;
    let pairs = 0;
    scores.forEach((positiveScore, i) => {
      if (!labels[i]) return;
      scores.forEach((negativeScore, j) => {
        if (labels[j]) return;
        pairs += 1;
        wins += positiveScore > negativeScore ? 1 : positiveScore === negativeScore ? 0.5 : 0;
      });
    });
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
  });

  it('is NaN without both classes and refuses mismatched lengths', () => {
    expect(rocAuc([1, 2], [true, true])).toBeNaN();
    expect(() => rocAuc([1, 2], [true])).toThrow(RangeError);
  });
});

describe('pearsonCorrelation', () => {
  it('matches a hand-computed value and the exact ±1 of linear series', () => {
    // x̄ = 3, ȳ = 4; Σdxdy = 8, Σdx² = 10, Σdy² = 10 → 0.8.
    expect(pearsonCorrelation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692414834, 14);
    expect(pearsonCorrelation([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 14);
    expect(pearsonCorrelation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
  });

  it('is NaN for a constant series', () => {
    expect(pearsonCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});
