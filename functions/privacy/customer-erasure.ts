import { sql, type Kysely } from 'kysely';
import { customerErased, customerNotFound } from '../../domain/customer/customer-errors.js';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { DomainError } from '../../domain/errors.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { EVENTS } from '../events/event-table.js';
import { undeliveredInStream } from '../events/stream-backlog.js';
import { markClaimedOnWrite, writeClaimLease } from '../events/write-claims.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { emailHash, EMAIL_SUPPRESSIONS } from './email-suppression.js';
import { CUSTOMER_EMAILS, MERGE_MOVES, MERGES } from '../merge/merge-tables.js';

/**
 * The properties of stored JSON (event payloads, dead letters, cached responses) that hold a
 * customer's personal data. external_id counts: it is another system's identifier of the person
 * (GDPR Art. 4(1) names identification numbers), so keeping it would let that system's records
 * re-identify the erased customer.
 */
export const PERSONAL_KEYS = ['name', 'email', 'phone', 'tags', 'user_id', 'external_id', 'aliases'] as const;

export interface ErasureRequest {
  /** The customer, by id or by email (case-insensitive). */
  readonly customer: { readonly id: string } | { readonly email: string };
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

/** The email as a literal POSIX regular expression (for a case-insensitive replace). */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A writer committed between the read and the erasure statement this many times in a row: give up (a 500 the caller retries). */
const MAX_ATTEMPTS = 3;

/**
 * Erases a customer (docs/privacy.md) in one statement, after one read:
 * 1. read the live customer's row identity (its `xmin`), email and user id; missing → 404, erased → 409;
 * 2. one statement (so one transaction): lock the row only while it is still exactly the row that
 *    was read (`xmin` unchanged), replace its personal fields, mark it erased, append
 *    CustomerErased, put the email's hash on the suppression list when asked, and scrub every other
 *    stored copy: the personal fields of the customer's stored events (published or not), the
 *    interactions that concern only them, their entries among other interactions' participants,
 *    dead letters and cached idempotent responses that carry their email or user id.
 * Why `xmin`: the statement's snapshot is taken before it locks the row. A writer that committed
 * in between (a change, an interaction whose trigger touched the row) may have written data this
 * snapshot cannot see and so would not scrub; its commit made a new row version, the lock's
 * recheck then finds another `xmin`, nothing is written, and the erasure starts again from a fresh
 * read. Every writer after the commit finds the row erased and is refused.
 */
export async function eraseCustomer(db: Kysely<Database>, request: ErasureRequest): Promise<Result<ErasureOutcome, DomainError>> {
  const which =
    'id' in request.customer ? sql`id = ${param.uuid(request.customer.id)}` : sql`lower(email) = lower(${request.customer.email})`;
  const named = 'id' in request.customer ? request.customer.id : request.customer.email;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { rows: found } = await sql<{
      id: string;
      email: string;
      user_id: string | null;
      erased_at: Date | string | null;
      row_xmin: string;
    }>`
      select id, email, user_id, erased_at, xmin::text as row_xmin from ${sql.table(CUSTOMERS)}
      where ${which} and deleted_at is null`.execute(db);
    const current = found[0];
    if (!current) return err(notFound(request));
    if (current.erased_at !== null) return err(customerErased(current.id, new Date(current.erased_at).toISOString()));
    const erased = await eraseStatement(db, request, {
      id: current.id,
      xmin: current.row_xmin,
      email: current.email,
      userId: current.user_id,
    });
    if (erased) return ok(erased);
  }
  throw new Error(`customer ${named} kept changing under its erasure; gave up after ${MAX_ATTEMPTS} attempts`);
}

function notFound(request: ErasureRequest): DomainError {
  return 'id' in request.customer
    ? customerNotFound(request.customer.id)
    : { code: 'CUSTOMER.NOT_FOUND', message: 'No live customer has this email (it may have been erased or deleted already).' };
}

/** The erasure statement; null when the row is no longer the one read (see eraseCustomer). */
async function eraseStatement(
  db: Kysely<Database>,
  request: ErasureRequest,
  read: { readonly id: string; readonly xmin: string; readonly email: string; readonly userId: string | null },
): Promise<ErasureOutcome | null> {
  const { email, userId } = read;
  const customerId = read.id;
  const id = param.uuid(customerId);
  const lease = writeClaimLease(db);
  // Claimed in the statement (for delivery right after it) unless an earlier event of the stream is still undelivered.
  const claimedUntil = lease
    ? sql`case when not ${undeliveredInStream('customer', id)} then ${param.timestamptz(new Date(Date.parse(request.now) + lease).toISOString())} end`
    : sql`cast(null as timestamptz)`;
  const now = param.timestamptz(request.now);
  const data = { request_ref: request.requestRef, email_suppressed: request.suppressEmail, erased_at: request.now };
  const keys = sql`array[${sql.join(PERSONAL_KEYS.map((key) => sql.lit(key)))}]::text[]`;
  const mentions = (column: string) =>
    sql`(position(lower(${email}) in lower(${sql.ref(column)}::text)) > 0 or position(${customerId} in ${sql.ref(column)}::text) > 0${
      userId ? sql` or position(${userId} in ${sql.ref(column)}::text) > 0` : sql``
    })`;
  const locked = sql`exists (select 1 from target)`;
  const { rows } = await sql<{
    version: number | string | null;
    claimed: boolean | string | null;
    events: number | string;
    interactions: number | string;
  }>`
    with recursive target as (
      select id from ${sql.table(CUSTOMERS)}
      where id = ${id} and deleted_at is null and not erased and xmin::text = ${read.xmin}
      for no key update
    ), merged (id) as (
      -- The customers merged into this one, through chains of merges (docs/merge.md): the same person's records.
      select m.id from ${sql.table(CUSTOMERS)} m where m.merged_into = ${id}
      union
      select m.id from ${sql.table(CUSTOMERS)} m join merged on m.merged_into = merged.id
    ), erased_merged as (
      update ${sql.table(CUSTOMERS)} as c
      set name = '[erased]', email = 'erased+' || c.id || '@erased.invalid', phone = null, tags = '[]'::jsonb, user_id = null, external_id = null,
          erased = true, erased_at = ${now}
      from merged where ${locked} and c.id = merged.id and not c.erased
      returning 1
    ), aliases as (
      delete from ${sql.table(CUSTOMER_EMAILS)} where ${locked} and customer_id = ${id} and alias
      returning 1
    ), ledger_emails as (
      -- The merge ledger keys moved emails by the address: those rows go (an erased customer is never unmerged).
      delete from ${sql.table(MERGE_MOVES)} as m using ${sql.table(MERGES)} as g
      where ${locked} and m.merge_id = g.id and m.record_type = 'email' and (g.survivor_id = ${id} or g.survivor_id in (select id from merged))
      returning 1
    ), erased as (
      update ${sql.table(CUSTOMERS)} as c
      set name = '[erased]', email = ${erasedEmail(customerId)}, phone = null, tags = '[]'::jsonb, user_id = null, external_id = null,
          erased = true, erased_at = ${now}, version = c.version + 1, updated_at = ${now}
      from target where c.id = target.id
      returning c.id, c.version
    ), event as (
      insert into ${sql.table(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, claimed_until)
      select ${param.uuid(request.eventId)}, 'customer', erased.id, erased.version, 'CustomerErased', 1, ${now}, ${request.actor}, ${param.jsonb(data)},
             ${claimedUntil}
      from erased
      returning claimed_until is not null as claimed
    ), suppressed as (
      -- The hash of the email the customer had; the email itself is never stored.
      insert into ${sql.table(EMAIL_SUPPRESSIONS)} (email_hash, created_at)
      select ${emailHash(email)}, ${now} from target where ${sql.lit(request.suppressEmail)}
      on conflict do nothing
      returning 1
    ), scrubbed_events as (
      update ${sql.table(EVENTS)} set data = customer_mgmt_erase_fields(data, ${keys})
      where ${locked} and aggregate_type = 'customer' and (aggregate_id = ${id} or aggregate_id in (select id from merged))
        and data is distinct from customer_mgmt_erase_fields(data, ${keys})
      returning 1
    ), linked as (
      select interaction_id from ${sql.table(INTERACTION_LINKS)} where target_type = 'customer' and target_id = ${id}
      union
      select id from ${sql.table(INTERACTIONS)}
      where participants @> ${param.jsonb([{ customer_id: customerId }])}
         or exists (select 1 from jsonb_array_elements(participants) p where lower(p ->> 'email') = lower(${email}))
    ), only_theirs as (
      select l.interaction_id from linked l
      where not exists (
        select 1 from ${sql.table(INTERACTION_LINKS)} other
        where other.interaction_id = l.interaction_id and other.deleted_at is null
          and not (other.target_type = 'customer' and other.target_id = ${id})
      )
    ), scrubbed_interactions as (
      update ${sql.table(INTERACTIONS)} as i
      set subject = case when i.id in (select interaction_id from only_theirs) then null else i.subject end,
          body = case when i.id in (select interaction_id from only_theirs) then null else i.body end,
          participants = case when i.id in (select interaction_id from only_theirs) then '[]'::jsonb else coalesce((
            select jsonb_agg(p order by n) from jsonb_array_elements(i.participants) with ordinality as items(p, n)
            where p ->> 'customer_id' is distinct from ${customerId} and lower(p ->> 'email') is distinct from lower(${email})
          ), '[]'::jsonb) end
      where ${locked} and i.id in (select interaction_id from linked)
      returning 1
    ), dead_letters as (
      -- The reason may quote the email and user id too ("customer … with email … is linked to another user (…)").
      update customer_mgmt_dead_letters
      set payload = customer_mgmt_erase_fields(payload, ${keys}), reason = regexp_replace(reason, ${[email, ...(userId ? [userId] : [])].map(escapeRegExp).join('|')}, '[erased]', 'gi')
      where ${locked} and (${mentions('payload')} or ${mentions('reason')})
      returning 1
    ), cached_responses as (
      -- A cached response holds its body as text: it is dropped whole (a retry with that key runs again).
      delete from customer_mgmt_idempotency_keys where ${locked} and response is not null and ${mentions('response')}
      returning 1
    )
    select (select version from erased) as version, (select claimed from event) as claimed,
           (select count(*) from scrubbed_events) as events, (select count(*) from scrubbed_interactions) as interactions,
           (select count(*) from suppressed) + (select count(*) from dead_letters)
             + (select count(*) from cached_responses) + (select count(*) from erased_merged)
             + (select count(*) from aliases) + (select count(*) from ledger_emails) as others`.execute(db);
  const row = rows[0];
  if (!row || row.version === null) return null;
  const event: CustomerEvent = {
    eventId: request.eventId,
    type: 'CustomerErased',
    eventVersion: 1,
    aggregateType: 'customer',
    aggregateId: customerId,
    aggregateVersion: Number(row.version),
    occurredAt: request.now,
    actor: request.actor,
    data,
  };
  if (row.claimed === true || row.claimed === 't') markClaimedOnWrite(event);
  return {
    customerId: customerId,
    erasedAt: request.now,
    emailSuppressed: request.suppressEmail,
    eventsScrubbed: Number(row.events),
    interactionsScrubbed: Number(row.interactions),
    event,
  };
}
