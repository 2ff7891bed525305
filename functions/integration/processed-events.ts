import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { storableText } from '../../domain/shared/text.js';
import type { EventBridgeEnvelope } from './incoming-events.js';

import type { Generated } from 'kysely';
import type { Jsonb, Timestamp } from '../db/column-types.js';
export interface ProcessedEventsTable {
  event_id: string;
  source: string;
  detail_type: string;
  processed_at: Timestamp;
}

export interface DeadLettersTable {
  id: Generated<number | string>;
  event_id: string | null;
  source: string | null;
  detail_type: string | null;
  reason: string;
  payload: Jsonb<unknown>;
  received_at: Timestamp;
}

declare module '../db/database.js' {
  interface Database {
    customer_mgmt_processed_events: ProcessedEventsTable;
    customer_mgmt_dead_letters: DeadLettersTable;
  }
}

/** Records that an incoming event was handled; false when it already was (a redelivery). */
export async function markProcessed(db: Kysely<Database>, envelope: EventBridgeEnvelope, now: string): Promise<boolean> {
  const inserted = await db
    .insertInto('customer_mgmt_processed_events')
    .values({ event_id: envelope.id, source: envelope.source, detail_type: envelope['detail-type'], processed_at: param.timestamptz(now) })
    .onConflict((conflict) => conflict.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** How deep a parked payload is kept; anything below is replaced by a note (PostgreSQL's jsonb parser recurses). */
export const MAX_STORED_DEPTH = 32;

/**
 * The payload as it can be stored for operators to read: text PostgreSQL refuses (NUL, unpaired
 * surrogates, in values and keys) becomes U+FFFD, and nesting below MAX_STORED_DEPTH becomes a note.
 */
export function storablePayload(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  if (depth >= MAX_STORED_DEPTH) return `[nested deeper than ${MAX_STORED_DEPTH} levels; not stored]`;
  if (Array.isArray(value)) return value.map((item) => storablePayload(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storablePayload(item, depth + 1)]));
}

/** Parks an event that can never be applied, with the reason, where operators can see it. */
export async function parkDeadLetter(db: Kysely<Database>, envelope: unknown, reason: string, now: string): Promise<void> {
  const fields = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? storableText(value.slice(0, 256)) : null);
  await db
    .insertInto('customer_mgmt_dead_letters')
    .values({
      event_id: text(fields.id),
      source: text(fields.source),
      detail_type: text(fields['detail-type']),
      reason: storableText(reason.slice(0, 2000)),
      payload: param.jsonb(storablePayload(envelope ?? null)),
      received_at: param.timestamptz(now),
    })
    .execute();
}
