import type { CustomerSummary } from './customer-summary.js';
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

/** The RFM inputs of a purchase summary: days since the last transaction, transactions, total spend (minor units). */
export function rfmInputOf(summary: CustomerSummary): RfmInput {
  return {
    customerId: summary.customerId,
    recencyDays: summary.recencyDays,
    frequency: summary.transactions,
    monetary: summary.totalSpendMinor,
  };
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

const DIMENSIONS = ['recency', 'frequency', 'monetary'] as const;

/** Each value's rank among the distinct values (0 = smallest), found by binary search in the sorted distinct values. */
function denseRanks(values: Float64Array): Int32Array {
  const distinct = values.slice().sort();
  let size = 0;
  for (let index = 0; index < distinct.length; index += 1) {
    if (size === 0 || distinct[index] !== distinct[size - 1]) distinct[size++] = distinct[index]!;
  }
  const ranks = new Int32Array(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (distinct[middle]! < value) low = middle + 1;
      else high = middle;
    }
    ranks[index] = low;
  }
  return ranks;
}

/**
 * Customer indices worst to best in each dimension: by value, then by customer id. Ids are sorted once; each dimension
 * then places the customers, taken in id order, into buckets by the rank of their value (a stable counting sort).
 */
function worstToBest(customers: readonly RfmInput[]): Record<(typeof DIMENSIONS)[number], Int32Array> {
  const n = customers.length;
  const byId = Array.from({ length: n }, (_, index) => index).sort((left, right) => {
    const l = customers[left]!.customerId;
    const r = customers[right]!.customerId;
    return l < r ? -1 : l > r ? 1 : 0;
  });
  const order = (value: (customer: RfmInput) => number) => {
    const values = new Float64Array(n);
    for (let index = 0; index < n; index += 1) values[index] = value(customers[index]!);
    const ranks = denseRanks(values);
    const starts = new Int32Array(n + 1);
    for (let index = 0; index < n; index += 1) starts[ranks[index]! + 1]! += 1;
    for (let rank = 1; rank <= n; rank += 1) starts[rank]! += starts[rank - 1]!;
    const ordered = new Int32Array(n);
    for (const customer of byId) ordered[starts[ranks[customer]!]!++] = customer;
    return ordered;
  };
  return {
    recency: order((customer) => -customer.recencyDays),
    frequency: order((customer) => customer.frequency),
    monetary: order((customer) => customer.monetary),
  };
}

/**
 * Quintile boundaries. Each dimension is ordered worst to best — recency by days since the last order descending,
 * frequency and monetary ascending — and ties are broken by customer id (ascending, by UTF-16 code units), so every
 * customer has a distinct position i of n and the score is ⌊5 i / n⌋ + 1: equal-sized quintiles, the same answer on
 * every run. The boundaries let any slice of customers be scored alone (partitions), with the same result.
 */
export function rfmCutPoints(customers: readonly RfmInput[]): RfmCutPoints {
  const n = customers.length;
  const orders = worstToBest(customers);
  const boundaries = (dimension: (typeof DIMENSIONS)[number]) =>
    [1, 2, 3, 4].flatMap((quintile) => {
      const position = Math.ceil((quintile * n) / 5);
      return position < n ? [keys[dimension](customers[orders[dimension][position]!]!)] : [];
    });
  return { recency: boundaries('recency'), frequency: boundaries('frequency'), monetary: boundaries('monetary') };
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

/** RFM scores of a whole population, in input order (positions straight from the sort; the same as `rfmScore` with its cut points). */
export function scoreRfm(customers: readonly RfmInput[]): RfmScore[] {
  const n = customers.length;
  const orders = worstToBest(customers);
  const scores = Object.fromEntries(
    DIMENSIONS.map((dimension) => {
      const quintiles = new Uint8Array(n);
      orders[dimension].forEach((customer, position) => (quintiles[customer] = Math.floor((5 * position) / n) + 1));
      return [dimension, quintiles];
    }),
  ) as Record<(typeof DIMENSIONS)[number], Uint8Array>;
  return customers.map((customer, index) => {
    const recency = scores.recency[index]! as Quintile;
    const frequency = scores.frequency[index]! as Quintile;
    return {
      customerId: customer.customerId,
      recency,
      frequency,
      monetary: scores.monetary[index]! as Quintile,
      segment: rfmSegment(recency, frequency),
    };
  });
}
