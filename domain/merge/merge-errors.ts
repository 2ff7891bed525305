import type { DomainError } from '../errors.js';

/** The expected failures of merging and unmerging records (docs/merge.md). */
export const MERGE_ERROR_CODES = [
  'CUSTOMER.MERGED',
  'COMPANY.MERGED',
  'MERGE.INVALID_SET',
  'MERGE.CONFLICTING_ACCOUNTS',
  'MERGE.ACCOUNT_TYPE_CONFLICT',
  'MERGE.TOO_MANY_TAGS',
  'MERGE.TOO_MANY_DOMAINS',
  'MERGE.TOTAL_TOO_LARGE',
  'MERGE.NOT_MERGED',
  'MERGE.UNDO_EXPIRED',
  'MERGE.UNDO_UNSAFE',
] as const;
export type MergeErrorCode = (typeof MERGE_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the merge codes to the union
  interface DomainErrorCodes extends Record<MergeErrorCode, true> {}
}

/** How long a merge may be undone. */
export const UNDO_WINDOW_DAYS = 30;

/** A record merged into another answers this instead of its data: the caller follows `merged_into`. */
export function mergedInto(kind: 'customer' | 'company', id: string, survivorId: string): DomainError {
  return {
    code: kind === 'customer' ? 'CUSTOMER.MERGED' : 'COMPANY.MERGED',
    message: `${kind === 'customer' ? 'Customer' : 'Company'} ${id} was merged into ${survivorId}; read that one instead.`,
    details: { merged_into: survivorId },
  };
}

export function invalidMergeSet(message: string, details: Record<string, string | string[]> = {}): DomainError {
  return { code: 'MERGE.INVALID_SET', message, details };
}
