import { err, ok, type Result } from '../../domain/shared/result.js';
import type { ApiError } from './http-errors.js';

/**
 * What an If-Match header demands: the representation named by an entity tag. Our tags are the
 * record's version in quotes (`"3"`), or version and a revision of derived state (`"3.2"`: a
 * customer's purchase summary, which orders change without a new version).
 */
export interface ExpectedTag {
  readonly version: number;
  readonly revision: number;
}

const ENTITY_TAG = /^(W\/)?"(\d{1,9})(?:\.(\d{1,9}))?"$|^(\d{1,9})$/;

/**
 * The tag an If-Match header demands, `undefined` when absent or `*` (any current representation).
 * Comparison is strong (RFC 9110): a weak tag (`W/"3"`) never matches, which is the caller's
 * version-mismatch error at once; a header that is no entity tag is VALIDATION_FAILED.
 */
export function expectedTagFrom(
  headers: Readonly<Record<string, string | undefined>>,
  versionMismatch: ApiError,
): Result<ExpectedTag | undefined, ApiError> {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '*') return ok(undefined);
  const match = ENTITY_TAG.exec(value);
  if (!match) {
    return err({
      code: 'VALIDATION_FAILED',
      message: 'The If-Match header must be one entity tag as returned in ETag, e.g. "3".',
      details: { fields: [{ field: 'If-Match', message: 'must be one entity tag as returned in ETag, e.g. "3"' }] },
    });
  }
  if (match[1]) {
    return err({
      ...versionMismatch,
      message: 'If-Match compares entity tags strongly: a weak tag (W/"…") never matches. Send the ETag exactly as returned.',
    });
  }
  return ok({ version: Number(match[2] ?? match[4]), revision: Number(match[3] ?? 0) });
}

/** Whether If-None-Match names the current entity tag (so the client's copy is fresh: 304); weak comparison, as RFC 9110 asks. */
export function clientHasCurrent(headers: Readonly<Record<string, string | undefined>>, etag: string): boolean {
  const value = headers['if-none-match'];
  if (value === undefined) return false;
  return value.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
