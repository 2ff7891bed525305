/** The failures only a batch reports: a whole all-or-none batch refused, two inputs aimed at one record. */
export const BATCH_ERROR_CODES = ['BATCH.FAILED', 'BATCH.DUPLICATE_TARGET'] as const;
export type BatchErrorCode = (typeof BATCH_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the batch codes to the union
  interface DomainErrorCodes extends Record<BatchErrorCode, true> {}
}
