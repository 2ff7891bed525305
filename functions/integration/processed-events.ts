import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import type { EventBridgeEnvelope } from './incoming-events.js';

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

/** Parks an event that can never be applied, with the reason, where operators can see it. */
export async function parkDeadLetter(db: Kysely<Database>, envelope: unknown, reason: string, now: string): Promise<void> {
  const fields = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : null);
  await db
    .insertInto('customer_mgmt_dead_letters')
    .values({
      event_id: text(fields.id),
      source: text(fields.source),
      detail_type: text(fields['detail-type']),
      reason: reason.slice(0, 2000),
      payload: param.jsonb(envelope ?? null),
      received_at: param.timestamptz(now),
    })
    .execute();
}
