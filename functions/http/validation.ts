import type { z } from 'zod';
import { validationFailed, type FieldIssue } from '../../domain/errors.js';
import { HttpError } from './http-errors.js';

/** What to say about keys every record refuses in a body, whatever the route. */
const COMMON_HINTS: Readonly<Record<string, string>> = {
  id: 'id is assigned by the service',
  version: 'version is managed by the service; send it as If-Match to guard against lost updates',
};

/** A field's path as callers read it: keys joined by dots, array indexes in brackets (`filter_groups[1].filters[3].operator`). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (joined, part) => (typeof part === 'number' ? `${joined}[${part}]` : joined ? `${joined}.${String(part)}` : String(part)),
    '',
  );
}

/**
 * Turns zod issues into field problems a caller can act on; `hints` say what to do instead for
 * top-level keys a route refuses (a route's body declares them, e.g. "tier has its own endpoint").
 */
export function toFieldIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix = '',
  hints: Readonly<Record<string, string>> = {},
): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: `${prefix}${path ? `${path}.` : ''}${key}`,
        message: (!path && (hints[key] ?? COMMON_HINTS[key])) || `unknown field "${key.slice(0, 60)}"`,
      }));
    }
    return [{ field: `${prefix}${path}` || prefix.replace(/\.$/, '') || 'body', message: issue.message }];
  });
}

/** Parses a value with a schema, or throws VALIDATION_FAILED listing every problem. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix = '', hints: Readonly<Record<string, string>> = {}): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const failure = validationFailed(toFieldIssues(parsed.error.issues, prefix, hints));
  throw new HttpError('VALIDATION_FAILED', failure.message, failure.details);
}
