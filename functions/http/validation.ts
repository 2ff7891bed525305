import type { z } from 'zod';
import { validationFailed, type FieldIssue } from '../../domain/errors.js';
import { HttpError } from './http-errors.js';

/** Messages for keys callers often send where they are not accepted, saying what to do instead. */
const MISPLACED_FIELD_HINTS: Record<string, string> = {
  status: 'status cannot be set directly; use the qualify, convert, churn and reactivate endpoints',
  tier: 'tier is changed with PUT /customers/{id}/tier',
  tags: 'tags are replaced with PUT /customers/{id}/tags',
  assigned_to: 'assignment is changed with PUT /customers/{id}/assign',
  id: 'id is assigned by the service',
  version: 'version is managed by the service; send it as If-Match to guard against lost updates',
};

/** Turns zod issues into field problems a caller can act on. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: `${prefix}${path ? `${path}.` : ''}${key}`,
        message: (!path && MISPLACED_FIELD_HINTS[key]) || `unknown field "${key.slice(0, 60)}"`,
      }));
    }
    return [{ field: `${prefix}${path}` || prefix.replace(/\.$/, '') || 'body', message: issue.message }];
  });
}

/** Parses a value with a schema, or throws VALIDATION_FAILED listing every problem. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const failure = validationFailed(toFieldIssues(parsed.error.issues, prefix));
  throw new HttpError(failure.code, failure.message, failure.details);
}
