import { describe, expect, it } from 'vitest';
import type { BgNbdParameters } from './bg-nbd-model.js';
import { expectedTransactions, probabilityAlive } from './bg-nbd-predict.js';
import { churnRiskBand, churnRiskScore, suggestedCommand } from './churn-risk.js';
import { customerLifetimeValue } from './clv.js';
import { fitOnSample, fnv1a, sampleByCustomerId, type ModelInput } from './fit-models.js';
import { expectedAverageOrderValue, type GammaGammaParameters } from './gamma-gamma.js';
import { scoreCustomers, type CustomerToScore } from './score-customers.js';

const BG_NBD: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const GAMMA_GAMMA: GammaGammaParameters = { p: 6.25, q: 3.74, gamma: 1544 };

describe('churn risk', () => {
  it('is exp(−E[Y(26 weeks)]) by default, near 1 for a lapsed buyer and low for a frequent recent one', () => {
    const lapsed = { x: 3, tx: 2, T: 38 };
    const regular = { x: 12, tx: 37, T: 38 };
    expect(churnRiskScore(BG_NBD, lapsed)).toBeCloseTo(Math.exp(-expectedTransactions(BG_NBD, lapsed, 26)), 14);
    expect(churnRiskScore(BG_NBD, lapsed)).toBeGreaterThan(0.9);
    expect(churnRiskScore(BG_NBD, regular)).toBeLessThan(0.05);
    expect(churnRiskScore(BG_NBD, regular, 4)).toBeGreaterThan(churnRiskScore(BG_NBD, regular, 26));
  });

  it('ranks an old one-time buyer above a recent repeat buyer, unlike 1 − P(alive)', () => {
    const oneTime = { x: 0, tx: 0, T: 38 };
    const repeat = { x: 4, tx: 35, T: 38 };
    expect(1 - probabilityAlive(BG_NBD, oneTime)).toBeLessThan(1 - probabilityAlive(BG_NBD, repeat));
    expect(churnRiskScore(BG_NBD, oneTime)).toBeGreaterThan(churnRiskScore(BG_NBD, repeat));
  });

  it('bands the score: high from 0.8, medium from 0.5 by default, or at the thresholds given', () => {
    expect([0.95, 0.8, 0.79, 0.5, 0.49, 0].map((score) => churnRiskBand(score))).toEqual([
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
    ]);
    expect(churnRiskBand(0.7, { high: 0.6, medium: 0.3 })).toBe('high');
    expect(churnRiskBand(0.2, { high: 0.6, medium: 0.3 })).toBe('low');
  });

  it('suggests the churn command only for a customer (status) at high risk', () => {
    expect(suggestedCommand('customer', 'high')).toBe('churn');
    expect(suggestedCommand('customer', 'medium')).toBeNull();
    expect(suggestedCommand('prospect', 'high')).toBeNull();
    expect(suggestedCommand('churned', 'high')).toBeNull();
  });
});

describe('scoreCustomers', () => {
  const customers: CustomerToScore[] = [
    { customerId: 'a', x: 0, tx: 0, T: 38, meanRepeatSpendMinor: 0, status: 'customer' },
    { customerId: 'b', x: 4, tx: 35, T: 38, meanRepeatSpendMinor: 3200, status: 'customer' },
    { customerId: 'c', x: 3, tx: 2, T: 38, meanRepeatSpendMinor: 1800, status: 'customer' },
    { customerId: 'd', x: 3, tx: 2, T: 38, meanRepeatSpendMinor: 1800, status: 'prospect' },
    { customerId: 'e', x: 4, tx: 20, T: 38, meanRepeatSpendMinor: 5000 },
  ];
  const scores = scoreCustomers({ bgNbd: BG_NBD, gammaGamma: GAMMA_GAMMA }, customers);

  it('combines P(alive), expected transactions (52 weeks), order value, CLV and churn risk per customer', () => {
    customers.forEach((customer, index) => {
      const score = scores[index]!;
      const value = expectedAverageOrderValue(GAMMA_GAMMA, { x: customer.x, meanSpend: customer.meanRepeatSpendMinor });
      expect(score.customerId).toBe(customer.customerId);
      expect(score.pAlive).toBeCloseTo(probabilityAlive(BG_NBD, customer), 14);
      expect(score.expectedTransactions).toBeCloseTo(expectedTransactions(BG_NBD, customer, 52), 12);
      expect(score.expectedOrderValue).toBeCloseTo(value, 9);
      expect(score.clv).toBeCloseTo(customerLifetimeValue(BG_NBD, customer, value), 9);
      expect(score.churnRiskScore).toBeCloseTo(churnRiskScore(BG_NBD, customer), 14);
    });
    expect(scores.map((score) => score.churnRisk)).toEqual(['high', 'low', 'high', 'high', 'low']);
    expect(scores.map((score) => score.suggestedCommand)).toEqual(['churn', null, 'churn', null, null]);
  });

  it('gives the same scores to a slice as to the whole (partitions), and honours the options', () => {
    const tail = scoreCustomers({ bgNbd: BG_NBD, gammaGamma: GAMMA_GAMMA }, customers.slice(2));
    expect(tail).toEqual(scores.slice(2));
    const [short] = scoreCustomers({ bgNbd: BG_NBD, gammaGamma: GAMMA_GAMMA }, customers.slice(1, 2), {
      horizonWeeks: 13,
      clv: { months: 3, monthlyDiscountRate: 0 },
      churn: { horizonWeeks: 4, thresholds: { high: 0.9, medium: 0.4 } },
    });
    const value = scores[1]!.expectedOrderValue;
    expect(short!.expectedTransactions).toBeCloseTo(expectedTransactions(BG_NBD, customers[1]!, 13), 12);
    expect(short!.clv).toBeCloseTo(customerLifetimeValue(BG_NBD, customers[1]!, value, { months: 3, monthlyDiscountRate: 0 }), 9);
    expect(short!.churnRiskScore).toBeCloseTo(churnRiskScore(BG_NBD, customers[1]!, 4), 14);
    expect(short!.churnRisk).toBe('medium');
  });
});

describe('fitting on a sample', () => {
  it('hashes ids with 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('selects about the given fraction, the same customers on every call, and a different set per salt', () => {
    const ids = Array.from({ length: 20_000 }, (_, index) => ({ customerId: `customer-${index}` }));
    const tenth = ids.filter(sampleByCustomerId(0.1));
    expect(tenth.length).toBeGreaterThan(1_850);
    expect(tenth.length).toBeLessThan(2_150);
    expect(ids.filter(sampleByCustomerId(0.1))).toEqual(tenth);
    const salted = ids.filter(sampleByCustomerId(0.1, 'run-2'));
    expect(salted).not.toEqual(tenth);
    expect(ids.filter(sampleByCustomerId(1))).toHaveLength(20_000);
    expect(() => sampleByCustomerId(0)).toThrow(RangeError);
  });

  it('fits both models on the selected customers only', () => {
    const customers: ModelInput[] = [];
    for (let index = 0; index < 400; index += 1) {
      const x = index % 5;
      customers.push({
        customerId: `c${index}`,
        x,
        tx: x === 0 ? 0 : 4 + (index % 30),
        T: 38 - (index % 4),
        meanRepeatSpendMinor: x === 0 ? 0 : 1000 + ((index * 37) % 3000),
      });
    }
    const evenIds = (customer: ModelInput) => Number(customer.customerId.slice(1)) % 2 === 0;
    const fits = fitOnSample(customers, evenIds);
    expect(fits.sampled).toBe(200);
    expect(fits.bgNbd.customers).toBe(200);
    expect(fits.gammaGamma.customers).toBe(customers.filter((customer) => evenIds(customer) && customer.x > 0).length);
  });
});
