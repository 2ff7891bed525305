export const RFM_SEGMENTS = [
  'champions',
  'loyal_customers',
  'potential_loyalists',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/**
 * The ten-segment R × F map: row R (recency score 1–5, 5 = most recent), column F (frequency score 1–5).
 *
 * | R \ F | 1              | 2                   | 3                   | 4               | 5               |
 * |-------|----------------|---------------------|---------------------|-----------------|-----------------|
 * | 5     | new_customers  | potential_loyalists | potential_loyalists | champions       | champions       |
 * | 4     | promising      | potential_loyalists | potential_loyalists | loyal_customers | loyal_customers |
 * | 3     | about_to_sleep | about_to_sleep      | need_attention      | loyal_customers | loyal_customers |
 * | 2     | hibernating    | hibernating         | at_risk             | at_risk         | cant_lose       |
 * | 1     | hibernating    | hibernating         | at_risk             | at_risk         | cant_lose       |
 */
export const RFM_SEGMENT_MAP: Readonly<Record<1 | 2 | 3 | 4 | 5, readonly [RfmSegment, RfmSegment, RfmSegment, RfmSegment, RfmSegment]>> = {
  5: ['new_customers', 'potential_loyalists', 'potential_loyalists', 'champions', 'champions'],
  4: ['promising', 'potential_loyalists', 'potential_loyalists', 'loyal_customers', 'loyal_customers'],
  3: ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal_customers', 'loyal_customers'],
  2: ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'],
  1: ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'],
};

export type Quintile = 1 | 2 | 3 | 4 | 5;

export function rfmSegment(recency: Quintile, frequency: Quintile): RfmSegment {
  return RFM_SEGMENT_MAP[recency][frequency - 1]!;
}
