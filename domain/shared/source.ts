import { err, ok, type Result } from './result.js';

export type Source = string & { readonly __brand: 'Source' };

export const DEFAULT_SOURCE = 'unknown' as Source;
const SOURCE_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** Where a customer came from: a lowercase slug such as `website` or `cold-call`, at most 50 chars. */
export function parseSource(input: string): Result<Source, string> {
  const source = input.trim().toLowerCase();
  if (source.length === 0 || source.length > 50 || !SOURCE_PATTERN.test(source)) {
    return err('source must be a lowercase slug of 1-50 characters (letters, digits, "-" or "_"), e.g. "website" or "cold-call"');
  }
  return ok(source as Source);
}
