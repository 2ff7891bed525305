import { describe, expect, it } from 'vitest';
import { rfmCutPoints, rfmInputOf, rfmScore, scoreRfm, type RfmInput } from './rfm.js';
import { RFM_SEGMENT_MAP, RFM_SEGMENTS, rfmSegment, type Quintile } from './rfm-segments.js';

const customer = (customerId: string, recencyDays: number, frequency: number, monetary: number): RfmInput => ({
  customerId,
  recencyDays,
  frequency,
  monetary,
});

describe('scoreRfm', () => {
  it('splits ten distinct customers into five quintiles of two, recent = 5', () => {
    const customers = Array.from({ length: 10 }, (_, index) => customer(`c${index}`, 100 - index * 10, index + 1, (index + 1) * 1000));
    const scores = scoreRfm(customers);
    expect(scores.map((score) => score.recency)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((score) => score.frequency)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((score) => score.monetary)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(scores.map((score) => score.segment)).toEqual([
      'hibernating',
      'hibernating',
      'hibernating',
      'hibernating',
      'need_attention',
      'need_attention',
      'loyal_customers',
      'loyal_customers',
      'champions',
      'champions',
    ]);
  });

  it('breaks ties by customer id, so equal values can land in neighbouring quintiles, the same way on every run', () => {
    // Five customers with one order each and the same recency and spend: ordered by id, one per quintile.
    const customers = ['e', 'b', 'd', 'a', 'c'].map((id) => customer(id, 30, 1, 500));
    const byId = Object.fromEntries(scoreRfm(customers).map((score) => [score.customerId, score]));
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => byId[id]!.frequency)).toEqual([1, 2, 3, 4, 5]);
    // Recency runs worst to best as "days descending, then id": equal days still order by id.
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => byId[id]!.recency)).toEqual([1, 2, 3, 4, 5]);
    expect(scoreRfm([...customers].reverse())).toEqual(expect.arrayContaining(Object.values(byId)));
  });

  it('gives quintile ⌊5 i / n⌋ + 1 to position i of n when n is not a multiple of five', () => {
    const customers = Array.from({ length: 7 }, (_, index) => customer(`c${index}`, 0, index, 0));
    expect(scoreRfm(customers).map((score) => score.frequency)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => Math.floor((5 * i) / 7) + 1));
    expect(scoreRfm([customer('only', 3, 1, 10)])[0]).toMatchObject({ recency: 1, frequency: 1, monetary: 1 });
  });

  it('scores a slice against cut points from the whole population exactly as the whole population is scored', () => {
    let state = 99;
    const next = (limit: number) => (state = (state * 48271) % 2147483647) % limit;
    const customers = Array.from({ length: 1_000 }, (_, index) => customer(`id-${index}`, next(300), 1 + next(6), next(50_000)));
    const whole = scoreRfm(customers);
    const cutPoints = rfmCutPoints(customers);
    const partitions = [customers.slice(0, 333), customers.slice(333, 700), customers.slice(700)];
    expect(partitions.flatMap((partition) => partition.map((entry) => rfmScore(entry, cutPoints)))).toEqual(whole);
    const counts = [1, 2, 3, 4, 5].map((q) => whole.filter((score) => score.frequency === q).length);
    expect(counts).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('rfmInputOf', () => {
  it('takes recency days, transactions and total spend from a purchase summary', () => {
    const summary = {
      customerId: 'ann',
      currency: 'USD',
      x: 2,
      tx: 6,
      T: 8,
      transactions: 3,
      firstPurchaseAt: '2024-01-01T09:00:00.000Z',
      lastPurchaseAt: '2024-02-12T23:59:59.999Z',
      recencyDays: 14,
      totalSpendMinor: 6500,
      meanRepeatSpendMinor: 2500,
    };
    expect(rfmInputOf(summary)).toEqual({ customerId: 'ann', recencyDays: 14, frequency: 3, monetary: 6500 });
  });
});

describe('the R × F segment map', () => {
  it('covers all 25 cells with the ten segments, each at least once', () => {
    const cells = ([1, 2, 3, 4, 5] as const).flatMap((r) => ([1, 2, 3, 4, 5] as const).map((f) => rfmSegment(r, f)));
    expect(cells).toHaveLength(25);
    expect(new Set(cells)).toEqual(new Set(RFM_SEGMENTS));
  });

  it.each([
    [5, 5, 'champions'],
    [4, 4, 'loyal_customers'],
    [3, 5, 'loyal_customers'],
    [5, 4, 'champions'],
    [5, 2, 'potential_loyalists'],
    [4, 3, 'potential_loyalists'],
    [5, 1, 'new_customers'],
    [4, 1, 'promising'],
    [3, 3, 'need_attention'],
    [3, 2, 'about_to_sleep'],
    [3, 1, 'about_to_sleep'],
    [2, 3, 'at_risk'],
    [1, 4, 'at_risk'],
    [2, 5, 'cant_lose'],
    [1, 5, 'cant_lose'],
    [1, 1, 'hibernating'],
    [2, 2, 'hibernating'],
  ] as const)('R %d, F %d is %s', (r, f, segment) => {
    expect(rfmSegment(r as Quintile, f as Quintile)).toBe(segment);
    expect(RFM_SEGMENT_MAP[r as Quintile][f - 1]).toBe(segment);
  });
});
