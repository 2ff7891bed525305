import { sql, type Kysely } from 'kysely';
import { customerErased, customerNotFound } from '../../domain/customer/customer-errors.js';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { DomainError } from '../../domain/errors.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { emailHash, EMAIL_SUPPRESSIONS } from './email-suppression.js';

/** The properties of stored JSON (event payloads, dead letters, cached responses) that hold a customer's personal data. */
export const PERSONAL_KEYS = ['name', 'email', 'phone', 'tags', 'user_id'] as const;

export interface ErasureRequest {
  readonly customerId: string;
  readonly requestRef: string;
  readonly suppressEmail: boolean;
  readonly actor: string;
  readonly eventId: string;
  readonly now: string;
}

export interface ErasureOutcome {
  readonly customerId: string;
  readonly erasedAt: string;
  readonly emailSuppressed: boolean;
  readonly eventsScrubbed: number;
  readonly interactionsScrubbed: number;
  readonly event: CustomerEvent;
}

/** The unique, non-deliverable address an erased customer keeps (`.invalid` is reserved, RFC 2606). */
export const erasedEmail = (customerId: string) => `erased+${customerId}@erased.invalid`;

/**
 * Erases a customer in one transaction of two statements (docs/privacy.md):
 * 1. lock the live, not yet erased row, replace its personal fields, mark it erased, append
 *    CustomerErased and (when asked) put the email's hash on the suppression list;
 * 2. then, in a fresh snapshot (so it sees every change that committed before the lock was taken;
 *    every later change is refused because the row is erased), scrub the personal fields of the
 *    customer's stored events (published or not), the interactions that concern only them, their
 *    entries among other interactions' participants, and dead letters and cached idempotent
 *    responses that carry their email or user id (dropped).
 */
export async function eraseCustomer(db: Kysely<Database>, request: ErasureRequest): Promise<Result<ErasureOutcome, DomainError>> {
  return db.transaction().execute(async (trx) => {
    const id = param.uuid(request.customerId);
    const now = param.timestamptz(request.now);
    const data = { request_ref: request.requestRef, email_suppressed: request.suppressEmail, erased_at: request.now };
    const { rows } = await sql<{ version: number; old_email: string; old_user_id: string | null }>`
      with target as (
        select id, email, user_id from ${sql.table(CUSTOMERS)}
        where id = ${id} and deleted_at is null and not erased
        for no key update
      ), erased as (
        update ${sql.table(CUSTOMERS)} as c
        set name = '[erased]', email = ${erasedEmail(request.customerId)}, phone = null, tags = '[]'::jsonb, user_id = null,
            erased = true, erased_at = ${now}, version = c.version + 1, updated_at = ${now}
        from target where c.id = target.id
        returning c.id, c.version
      ), event as (
        insert into ${sql.table(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data)
        select ${param.uuid(request.eventId)}, 'customer', erased.id, erased.version, 'CustomerErased', 1, ${now}, ${request.actor}, ${param.jsonb(data)}
        from erased
        returning 1
      )
      select erased.version, target.email as old_email, target.user_id as old_user_id
      from erased join target on target.id = erased.id`.execute(trx);
    const row = rows[0];
    if (!row) {
      const { rows: found } = await sql<{ erased_at: Date | string | null }>`
        select erased_at from ${sql.table(CUSTOMERS)} where id = ${id} and deleted_at is null`.execute(trx);
      const current = found[0];
      if (!current) return err(customerNotFound(request.customerId));
      return err(customerErased(request.customerId, current.erased_at === null ? null : new Date(current.erased_at).toISOString()));
    }
    if (request.suppressEmail) {
      // The hash is of the email the customer had; the email itself is never stored.
      await sql`
        insert into ${sql.table(EMAIL_SUPPRESSIONS)} (email_hash, created_at) values (${emailHash(row.old_email)}, ${now})
        on conflict do nothing`.execute(trx);
    }
    const scrubbed = await scrubPersonalData(trx, request.customerId, row.old_email, row.old_user_id, request.eventId);
    const event: CustomerEvent = {
      eventId: request.eventId,
      type: 'CustomerErased',
      eventVersion: 1,
      aggregateType: 'customer',
      aggregateId: request.customerId,
      aggregateVersion: Number(row.version),
      occurredAt: request.now,
      actor: request.actor,
      data,
    };
    return ok({
      customerId: request.customerId,
      erasedAt: request.now,
      emailSuppressed: request.suppressEmail,
      eventsScrubbed: scrubbed.events,
      interactionsScrubbed: scrubbed.interactions,
      event,
    });
  });
}

/** The second statement of the erasure: every stored copy of the person's data besides the customer row. */
async function scrubPersonalData(
  trx: Kysely<Database>,
  customerId: string,
  email: string,
  userId: string | null,
  erasureEventId: string,
): Promise<{ events: number; interactions: number }> {
  const id = param.uuid(customerId);
  const keys = sql`array[${sql.join(PERSONAL_KEYS.map((key) => sql.lit(key)))}]::text[]`;
  const mentions = (column: string) =>
    sql`(position(lower(${email}) in lower(${sql.ref(column)}::text)) > 0 or position(${customerId} in ${sql.ref(column)}::text) > 0${
      userId ? sql` or position(${userId} in ${sql.ref(column)}::text) > 0` : sql``
    })`;
  const { rows } = await sql<{ events: number | string; interactions: number | string }>`
    with scrubbed_events as (
      update ${sql.table(EVENTS)} set data = customer_mgmt_erase_fields(data, ${keys})
      where aggregate_type = 'customer' and aggregate_id = ${id} and event_id <> ${param.uuid(erasureEventId)}
        and data is distinct from customer_mgmt_erase_fields(data, ${keys})
      returning 1
    ), linked as (
      select distinct interaction_id from ${sql.table(INTERACTION_LINKS)} where target_type = 'customer' and target_id = ${id}
      union
      select id from ${sql.table(INTERACTIONS)}
      where participants @> ${param.jsonb([{ customer_id: customerId }])}
         or exists (select 1 from jsonb_array_elements(participants) p where lower(p ->> 'email') = lower(${email}))
    ), only_theirs as (
      select l.interaction_id from linked l
      where not exists (
        select 1 from ${sql.table(INTERACTION_LINKS)} other
        where other.interaction_id = l.interaction_id and other.deleted_at is null and not (other.target_type = 'customer' and other.target_id = ${id})
      )
    ), scrubbed_interactions as (
      update ${sql.table(INTERACTIONS)} as i
      set subject = case when i.id in (select interaction_id from only_theirs) then null else i.subject end,
          body = case when i.id in (select interaction_id from only_theirs) then null else i.body end,
          participants = case when i.id in (select interaction_id from only_theirs) then '[]'::jsonb else coalesce((
            select jsonb_agg(p order by n) from jsonb_array_elements(i.participants) with ordinality as items(p, n)
            where p ->> 'customer_id' is distinct from ${customerId} and lower(p ->> 'email') is distinct from lower(${email})
          ), '[]'::jsonb) end
      where i.id in (select interaction_id from linked)
      returning 1
    ), dead_letters as (
      update customer_mgmt_dead_letters set payload = customer_mgmt_erase_fields(payload, ${keys})
      where ${mentions('payload')}
      returning 1
    ), cached_responses as (
      -- A cached response holds its body as text: it is dropped whole (a retry with that key runs again).
      delete from customer_mgmt_idempotency_keys where response is not null and ${mentions('response')}
      returning 1
    )
    select (select count(*) from scrubbed_events) as events, (select count(*) from scrubbed_interactions) as interactions,
           (select count(*) from dead_letters) + (select count(*) from cached_responses) as others`.execute(trx);
  return { events: Number(rows[0]?.events ?? 0), interactions: Number(rows[0]?.interactions ?? 0) };
}
