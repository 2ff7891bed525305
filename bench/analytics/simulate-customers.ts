import type { BgNbdParameters } from '../../domain/analytics/bg-nbd-model.js';
import type { ModelInput } from '../../domain/analytics/fit-models.js';
import type { GammaGammaParameters } from '../../domain/analytics/gamma-gamma.js';

/** mulberry32: a seeded uniform generator on [0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) draws: Marsaglia & Tsang (2000), with U^(1/shape) boosting for shape < 1. */
function gammaSampler(uniform: () => number): (shape: number) => number {
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const draw = (shape: number): number => {
    if (shape < 1) return draw(shape + 1) * Math.pow(1 - uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - uniform();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return draw;
}

export interface SimulationSettings {
  readonly customers: number;
  readonly bgNbd: BgNbdParameters;
  readonly gammaGamma: GammaGammaParameters;
  /** First purchases fall uniformly on this many days before the end of the calibration period's first quarter. */
  readonly acquisitionDays: number;
  /** Days from the first possible first purchase to the end of the calibration period. */
  readonly calibrationDays: number;
  readonly seed: number;
}

/**
 * Customers drawn from the BG/NBD process (λ ~ Gamma(r, α), p ~ Beta(a, b), a drop-out chance after each repeat purchase)
 * with Gamma-Gamma spend, observed in whole days like real order data (same-day purchases merge).
 */
export function simulateCustomers(settings: SimulationSettings): ModelInput[] {
  const uniform = seededUniform(settings.seed);
  const gamma = gammaSampler(uniform);
  const { r, alpha, a, b } = settings.bgNbd;
  const { p, q, gamma: scale } = settings.gammaGamma;
  const customers: ModelInput[] = new Array(settings.customers);
  for (let index = 0; index < settings.customers; index += 1) {
    const firstDay = Math.floor(uniform() * settings.acquisitionDays);
    const ageDays = settings.calibrationDays - firstDay;
    const rate = gamma(r) / alpha; // purchases per week
    const left = gamma(a);
    const dropout = left / (left + gamma(b));
    const nu = gamma(q) / scale;
    let time = 0;
    let lastDay = 0;
    let x = 0;
    let spend = 0;
    for (;;) {
      time += -Math.log(1 - uniform()) / rate;
      const day = Math.floor(time * 7);
      if (day > ageDays) break;
      if (day > lastDay) {
        x += 1;
        lastDay = day;
      }
      spend += gamma(p) / nu;
      if (uniform() < dropout) break;
    }
    customers[index] = { customerId: `sim-${index}`, x, tx: lastDay / 7, T: ageDays / 7, meanRepeatSpendMinor: x === 0 ? 0 : spend / x };
  }
  return customers;
}
