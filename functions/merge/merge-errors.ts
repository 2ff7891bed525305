import type { MergeErrorCode } from '../../domain/merge/merge-errors.js';

/** The HTTP status of every merge error; the compiler refuses a code without one. */
export const MERGE_ERROR_STATUS: Readonly<Record<MergeErrorCode, number>> = {
  'CUSTOMER.MERGED': 404,
  'COMPANY.MERGED': 404,
  'MERGE.INVALID_SET': 422,
  'MERGE.CONFLICTING_ACCOUNTS': 409,
  'MERGE.ACCOUNT_TYPE_CONFLICT': 409,
  'MERGE.TOO_MANY_TAGS': 409,
  'MERGE.TOO_MANY_DOMAINS': 409,
  'MERGE.TOTAL_TOO_LARGE': 409,
  'MERGE.NOT_MERGED': 409,
  'MERGE.UNDO_EXPIRED': 409,
  'MERGE.UNDO_UNSAFE': 409,
};
