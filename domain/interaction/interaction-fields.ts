import type { FieldIssue } from '../errors.js';
import { err, ok, type Result } from '../shared/result.js';
import { textProblem } from '../shared/text.js';
import { MAX_BODY_LENGTH, MAX_DURATION_S, MAX_SUBJECT_LENGTH } from './interaction-type-rules.js';

/** Free text of an interaction: trimmed; blank means none. Subjects are one line, bodies may span lines. */
export function readText(field: 'subject' | 'body', value: string | null | undefined, issues: FieldIssue[]): string | null | undefined {
  if (value === undefined || value === null) return value;
  const text = value.trim();
  if (text.length === 0) return null;
  const max = field === 'subject' ? MAX_SUBJECT_LENGTH : MAX_BODY_LENGTH;
  const problem = textProblem(text, { lineBreaks: field === 'body' });
  if (problem) issues.push({ field, message: `${field} ${problem}` });
  else if ([...text].length > max) issues.push({ field, message: `${field} must be at most ${max} characters` });
  return text;
}

/** A duration in whole seconds, 0 to a day. */
export function readDuration(value: number | null | undefined, issues: FieldIssue[]): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Number.isInteger(value) || value < 0 || value > MAX_DURATION_S) {
    issues.push({ field: 'duration_s', message: `duration_s must be whole seconds from 0 to ${MAX_DURATION_S}` });
  }
  return value;
}

export const MAX_EXTERNAL_ID_LENGTH = 500;

/**
 * A syncing system's id for the interaction: 1-500 characters of clean text, not blank. It is
 * stored exactly as given (not trimmed) and compared so, per source (idx_interactions_external).
 */
export function readExternalId(value: string): Result<string, string> {
  const problem = textProblem(value);
  if (value.trim().length === 0 || value.length > MAX_EXTERNAL_ID_LENGTH || problem) {
    return err(`external_id must be 1-${MAX_EXTERNAL_ID_LENGTH} characters of clean text${problem ? `; it ${problem}` : ''}`);
  }
  return ok(value);
}
