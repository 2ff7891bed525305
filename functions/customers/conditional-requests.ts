import { HttpError } from '../http/http-errors.js';

/** What an If-Match header demands: the representation named by an ETag (see etagOf). */
export interface Precondition {
  readonly version: number;
  readonly summaryRevision: number;
}

const ENTITY_TAG = /^(W\/)?"(\d{1,9})(?:\.(\d{1,9}))?"$|^(\d{1,9})$/;

/**
 * The representation an If-Match header demands, `undefined` when absent or `*` (any current
 * one). Comparison is strong (RFC 9110): a weak tag (`W/"3"`) never matches, so it is 412 at once.
 */
export function preconditionFrom(headers: Readonly<Record<string, string | undefined>>): Precondition | undefined {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '*') return undefined;
  const match = ENTITY_TAG.exec(value);
  if (!match) {
    throw new HttpError('VALIDATION_FAILED', 'The If-Match header must be one entity tag as returned in ETag, e.g. "3".', {
      fields: [{ field: 'If-Match', message: 'must be one entity tag as returned in ETag, e.g. "3"' }],
    });
  }
  if (match[1]) {
    throw new HttpError(
      'CUSTOMER.VERSION_MISMATCH',
      'If-Match compares entity tags strongly: a weak tag (W/"…") never matches. Send the ETag exactly as returned.',
    );
  }
  return { version: Number(match[2] ?? match[4]), summaryRevision: Number(match[3] ?? 0) };
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
