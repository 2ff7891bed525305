import { rfmSegment, type Quintile, type RfmSegment } from './rfm-segments.js';

/** One customer with at least one order in the currency. */
export interface RfmInput {
  readonly customerId: string;
  /** Whole days from the last order to the as-of date. */
  readonly recencyDays: number;
  /** Transactions (same-day orders count once). */
  readonly frequency: number;
  /** Total spend, in any one unit. */
  readonly monetary: number;
}

export interface RfmScore {
  readonly customerId: string;
  readonly recency: Quintile;
  readonly frequency: Quintile;
  readonly monetary: Quintile;
  readonly segment: RfmSegment;
}

/** A position in the worst-to-best order of one dimension: the value made "higher is better", then the customer id. */
export interface RankKey {
  readonly value: number;
  readonly customerId: string;
}

/** The first key of quintiles 2, 3, 4 and 5 in each dimension. */
export interface RfmCutPoints {
  readonly recency: readonly RankKey[];
  readonly frequency: readonly RankKey[];
  readonly monetary: readonly RankKey[];
}

const compareKeys = (left: RankKey, right: RankKey) =>
  left.value !== right.value
    ? left.value - right.value
    : left.customerId < right.customerId
      ? -1
      : left.customerId > right.customerId
        ? 1
        : 0;

const keys = {
  recency: (customer: RfmInput): RankKey => ({ value: -customer.recencyDays, customerId: customer.customerId }),
  frequency: (customer: RfmInput): RankKey => ({ value: customer.frequency, customerId: customer.customerId }),
  monetary: (customer: RfmInput): RankKey => ({ value: customer.monetary, customerId: customer.customerId }),
};

/**
 * Quintile boundaries. Each dimension is ordered worst to best — recency by days since the last order descending,
 * frequency and monetary ascending — and ties are broken by customer id (ascending, by UTF-16 code units), so every
 * customer has a distinct position i of n and the score is ⌊5 i / n⌋ + 1: equal-sized quintiles, the same answer on
 * every run. The boundaries let any slice of customers be scored alone (partitions), with the same result.
 */
export function rfmCutPoints(customers: readonly RfmInput[]): RfmCutPoints {
  const n = customers.length;
  const boundaries = (key: (customer: RfmInput) => RankKey) => {
    const sorted = customers.map(key).sort(compareKeys);
    return [1, 2, 3, 4].flatMap((quintile) => {
      const position = Math.ceil((quintile * n) / 5);
      return position < n ? [sorted[position]!] : [];
    });
  };
  return { recency: boundaries(keys.recency), frequency: boundaries(keys.frequency), monetary: boundaries(keys.monetary) };
}

const quintile = (key: RankKey, cutPoints: readonly RankKey[]): Quintile => {
  let score = 1;
  for (const cut of cutPoints) if (compareKeys(key, cut) >= 0) score += 1;
  return score as Quintile;
};

/** One customer's R, F and M quintiles against boundaries from `rfmCutPoints`, and its R × F segment. */
export function rfmScore(customer: RfmInput, cutPoints: RfmCutPoints): RfmScore {
  const recency = quintile(keys.recency(customer), cutPoints.recency);
  const frequency = quintile(keys.frequency(customer), cutPoints.frequency);
  return {
    customerId: customer.customerId,
    recency,
    frequency,
    monetary: quintile(keys.monetary(customer), cutPoints.monetary),
    segment: rfmSegment(recency, frequency),
  };
}

/** RFM scores of a whole population (the boundaries computed from it). */
export function scoreRfm(customers: readonly RfmInput[]): RfmScore[] {
  const cutPoints = rfmCutPoints(customers);
  return customers.map((customer) => rfmScore(customer, cutPoints));
}
