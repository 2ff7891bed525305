import { fitBgNbd, type BgNbdFit } from './bg-nbd-fit.js';
import type { CustomerSummary } from './customer-summary.js';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.js';

/** What the two models are fitted on: the calibration history and the mean repeat spend. */
export type ModelInput = Pick<CustomerSummary, 'customerId' | 'x' | 'tx' | 'T' | 'meanRepeatSpendMinor'>;

export interface ModelFits {
  readonly bgNbd: BgNbdFit;
  /** Fitted on the repeat customers' mean repeat spend in minor units, so γ and every value derived are in minor units. */
  readonly gammaGamma: GammaGammaFit;
}

/** Fits BG/NBD on every customer and Gamma-Gamma on the repeat customers. */
export function fitModels(customers: readonly ModelInput[]): ModelFits {
  return {
    bgNbd: fitBgNbd(customers),
    gammaGamma: fitGammaGamma(customers.map((customer) => ({ x: customer.x, meanSpend: customer.meanRepeatSpendMinor }))),
  };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable, platform-independent hash for sampling by id. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic selector keeping about `fraction` of customers: those whose hashed id (with `salt`) falls below
 * fraction × 2³². The same customers on every run and in every partition, so a sample can be drawn partition by partition.
 */
export function sampleByCustomerId(fraction: number, salt = ''): (customer: { readonly customerId: string }) => boolean {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`sample fraction must be in (0, 1], got ${fraction}`);
  const limit = fraction * 2 ** 32;
  return (customer) => fnv1a(salt + customer.customerId) < limit;
}

/**
 * Fits both models on the customers `select` keeps (for a population too large to fit whole, e.g. with
 * `sampleByCustomerId`); score the whole population afterwards, slice by slice, with `scoreCustomers`.
 */
export function fitOnSample(
  customers: readonly ModelInput[],
  select: (customer: ModelInput) => boolean,
): ModelFits & { readonly sampled: number } {
  const sample = customers.filter(select);
  return { ...fitModels(sample), sampled: sample.length };
}
