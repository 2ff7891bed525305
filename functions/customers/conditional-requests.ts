import { HttpError } from '../http/http-errors.js';

const ENTITY_TAG = /^(?:W\/)?"(\d{1,9})"$|^(\d{1,9})$/;

/**
 * The version an If-Match header demands, `undefined` when absent or `*` (any current version).
 * Our entity tags are the customer version in quotes, e.g. `"3"`.
 */
export function expectedVersionFrom(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = headers['if-match']?.trim();
  if (value === undefined || value === '*') return undefined;
  const match = ENTITY_TAG.exec(value);
  if (!match) {
    throw new HttpError('VALIDATION_FAILED', 'The If-Match header must be one entity tag as returned in ETag, e.g. "3".', {
      fields: [{ field: 'If-Match', message: 'must be one entity tag as returned in ETag, e.g. "3"' }],
    });
  }
  return Number(match[1] ?? match[2]);
}

/** Whether If-None-Match names the current entity tag (so the client's copy is fresh: 304). */
export function clientHasCurrent(headers: Readonly<Record<string, string | undefined>>, etag: string): boolean {
  const value = headers['if-none-match'];
  if (value === undefined) return false;
  return value.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
