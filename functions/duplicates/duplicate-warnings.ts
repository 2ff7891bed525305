import type { JsonValue } from '../../domain/shared/json.js';
import type { CustomerCandidate } from './duplicate-finder.js';

/**
 * The `warnings` of a 201 that created a customer with possible duplicates (phone or name): none
 * when there are no candidates. The customer is created regardless; only an email blocks (409).
 */
export function duplicateWarnings(candidates: readonly CustomerCandidate[]): JsonValue[] {
  if (candidates.length === 0) return [];
  return [
    {
      code: 'POSSIBLE_DUPLICATE',
      message: `${candidates.length} existing customer(s) look like this one (see candidates); check them before working on this one.`,
      candidates: candidates as unknown as JsonValue,
    },
  ];
}
