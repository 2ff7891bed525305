import type { DomainError } from '../../domain/errors.js';
import { UNDO_WINDOW_DAYS } from '../../domain/merge/merge-errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import { markClaimedOnWrite } from '../events/write-claims.js';

/** What every merge driver (customers, companies) shares around its transaction. */

/** A refusal decided on the locked records: the transaction rolls back and the error is the answer. */
export class MergeRefused extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

/** Until when a merge made at `now` may be undone. */
export function undoUntilOf(now: string): string {
  return new Date(Date.parse(now) + UNDO_WINDOW_DAYS * 86_400_000).toISOString();
}

/** Counts by record type out of a jsonb object the statement built (a string from the Data API, bigints as text). */
export function countsOf(json: Record<string, number | string> | string): Record<string, number> {
  return Object.fromEntries(Object.entries(typeof json === 'string' ? JSON.parse(json) : json).map(([key, value]) => [key, Number(value)]));
}

/** Marks the events the statement claimed for delivery on write (`claimed`: their ids, comma-separated). */
export function markClaimed(events: readonly DomainEvent[], claimed: string | null): void {
  const ids = new Set((claimed ?? '').split(',').filter(Boolean));
  for (const event of events) if (ids.has(event.eventId)) markClaimedOnWrite(event);
}
