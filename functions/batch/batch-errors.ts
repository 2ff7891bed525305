import type { BatchErrorCode } from '../../domain/batch/batch-errors.js';

/**
 * BATCH.FAILED answers a whole all-or-none batch (422: nothing was applied); DUPLICATE_TARGET is
 * only ever an item's error (409, the status a single request aimed at a record twice would get).
 */
export const BATCH_ERROR_STATUS: Readonly<Record<BatchErrorCode, number>> = {
  'BATCH.FAILED': 422,
  'BATCH.DUPLICATE_TARGET': 409,
};
