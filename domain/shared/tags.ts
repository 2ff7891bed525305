import { err, ok, type Result } from './result.js';

export type Tag = string & { readonly __brand: 'Tag' };

export const MAX_TAGS = 50;
const TAG_PATTERN = /^[a-z0-9:_-]{1,50}$/;

/**
 * Normalises a list of labels into a tag set: trimmed, lower-cased, deduplicated, order of
 * first appearance kept. Fails naming the first offending label.
 */
export function parseTags(input: readonly string[]): Result<readonly Tag[], string> {
  const tags: Tag[] = [];
  for (const [index, raw] of input.entries()) {
    const tag = raw.trim().toLowerCase();
    if (!TAG_PATTERN.test(tag)) {
      return err(`tag #${index + 1} ("${raw.slice(0, 60)}") must be 1-50 characters of a-z, 0-9, ':', '_' or '-'`);
    }
    if (!tags.includes(tag as Tag)) tags.push(tag as Tag);
  }
  if (tags.length > MAX_TAGS) return err(`at most ${MAX_TAGS} distinct tags are allowed, got ${tags.length}`);
  return ok(tags);
}

/** Tags are a set: the same labels in another order are the same tags. */
export function sameTagSet(a: readonly Tag[], b: readonly Tag[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((tag) => right.has(tag));
}
