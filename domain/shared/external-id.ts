import { err, ok, type Result } from './result.js';
import { textProblem } from './text.js';

export const MAX_EXTERNAL_ID_LENGTH = 200;

/**
 * Another system's id for a record: trimmed, 1-200 visible characters, compared exactly (case
 * counts). The trimmed form is what is stored and what a unique index on the column compares.
 */
export function parseExternalId(value: string): Result<string, string> {
  const id = value.trim();
  const problem = textProblem(id);
  if (id.length === 0) return err('external_id cannot be blank; send null to clear it');
  if (problem) return err(`external_id ${problem}`);
  if ([...id].length > MAX_EXTERNAL_ID_LENGTH) return err(`external_id must be at most ${MAX_EXTERNAL_ID_LENGTH} characters`);
  return ok(id);
}
