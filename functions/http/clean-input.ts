import * as z from 'zod';
import { textProblem, unstorableIn, type TextRules } from '../../domain/shared/text.js';
import { parseTimestamp, type TimestampRules } from '../../domain/shared/timestamp.js';

/**
 * Building blocks for every schema that reads outside input (request bodies, path and query
 * parameters, cursors, incoming events), so that nothing PostgreSQL refuses — NUL, unpaired
 * surrogates, dates that do not exist or fall outside 0001-9999 — gets past the edge and fails
 * there as a 500. Aggregate-free: every aggregate's schemas use these instead of bare strings.
 */

/** What a block reads, registered on it so that tools (the hostile-input tests) can find it in any schema. */
export interface InputKind {
  readonly kind: 'text' | 'timestamp' | 'cursor';
  /** A value the block accepts, when one can be given without context. */
  readonly example?: string;
}
export const inputKinds = z.registry<InputKind>();

/**
 * Text as a caller typed it: at most `max` UTF-16 units, storable, free of control characters
 * (terminal escape sequences start with one; `lineBreaks` allows tab, CR and LF), and, when not
 * empty, with at least one visible character.
 */
export function cleanText(max: number, rules: TextRules = {}) {
  const schema = z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, context) => {
      const problem = textProblem(value, rules);
      if (problem) context.addIssue({ code: 'custom', message: problem, abort: true });
    });
  inputKinds.add(schema, { kind: 'text', example: 'x' });
  return schema;
}

/**
 * An ISO-8601 date-time (or, with `allowDate`, a date), read strictly: the date must exist and
 * the instant must fall in the years 0001-9999 once its offset is applied. The value becomes the
 * instant in UTC with milliseconds (`2025-12-30T10:00:00.000Z`); a date-time without offset is UTC.
 */
export function isoTimestamp(rules: TimestampRules = {}) {
  const schema = z
    .string({ error: 'must be a string' })
    .max(64, 'must be at most 64 characters')
    .transform((value, context) => {
      const parsed = parseTimestamp(value, rules);
      if (parsed.ok) return parsed.value;
      context.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    });
  inputKinds.add(schema, { kind: 'timestamp', example: rules.allowDate ? '2025-12-30' : '2025-12-30T10:00:00Z' });
  return schema;
}

/** The opaque cursor of a keyset page: base64url JSON of the page position. */
export function encodePageCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * Reads a cursor issued by `encodePageCursor`, validating the position inside with `position`
 * (built from these blocks too, so a forged key cannot reach the database). Anything else —
 * not base64url, not JSON, a position that does not parse — is refused.
 */
export function pageCursor<T>(position: z.ZodType<T>) {
  const schema = z
    .string({ error: 'must be a string' })
    .max(1024, 'pass next_cursor from the previous page unchanged')
    .transform((value, context) => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      } catch {
        decoded = undefined;
      }
      const parsed = position.safeParse(decoded);
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: 'pass next_cursor from the previous page unchanged' });
      return z.NEVER;
    });
  inputKinds.add(schema, { kind: 'cursor' });
  return schema;
}

/**
 * The first string (value or object key) in parsed input that PostgreSQL could not store, with
 * its path (`tags[2]`), or null. The edge runs it on every parsed request as a safety net for
 * schemas that use a bare z.string().
 */
export function findUnstorableText(value: unknown): { readonly path: string; readonly problem: string } | null {
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      const problem = unstorableIn(current);
      if (problem) return { path, problem };
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, `${path}[${index}]`]));
    } else if (current !== null && typeof current === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(current))) {
      for (const [key, item] of Object.entries(current)) {
        const itemPath = path ? `${path}.${key}` : key;
        const problem = unstorableIn(key);
        if (problem) return { path: itemPath, problem: `has a key that ${problem}` };
        pending.push([item, itemPath]);
      }
    }
  }
  return null;
}
