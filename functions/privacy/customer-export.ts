import { sql, type Kysely } from 'kysely';
import { customerNotFound } from '../../domain/customer/customer-errors.js';
import type { DomainEvent } from '../../domain/shared/domain-event.js';
import type { DomainError } from '../../domain/errors.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { err, ok, type Result } from '../../domain/shared/result.js';
import { INSIGHTS } from '../analytics/analytics-tables.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { DEALS } from '../deals/deal-table.js';
import { EVENTS } from '../events/event-table.js';
import { markClaimedOnWrite, writeClaimLease } from '../events/write-claims.js';
import { INTERACTION_LINKS, INTERACTIONS } from '../interactions/interaction-table.js';
import { PURCHASES } from '../purchases/purchase-repository.js';

/** The stream of the audit record of each export (one stream per export). */
export const CUSTOMER_EXPORT_AGGREGATE = 'customer_export' as const;

export interface ExportRequest {
  readonly customerId: string;
  readonly actor: string;
  readonly eventId: string;
  readonly exportId: string;
  readonly now: string;
}

/**
 * Everything we hold about one person (GDPR Art. 15/20) as one JSON document, read by one
 * statement that also appends the CustomerDataExported audit event (so there is no export without
 * its record): the profile with its purchase summary, its whole event history, the interactions
 * it is linked to or takes part in (with their content), the deals where it is the primary
 * customer or a contact, its orders and its analytics insights. Built by PostgreSQL as JSON text,
 * the same on every dialect.
 */
export async function exportCustomer(
  db: Kysely<Database>,
  request: ExportRequest,
): Promise<Result<{ document: JsonObject; event: DomainEvent }, DomainError>> {
  const id = param.uuid(request.customerId);
  const now = param.timestamptz(request.now);
  const eventData = { customer_id: request.customerId };
  const lease = writeClaimLease(db);
  // A new stream has no earlier event to wait for: the audit event is claimed in the statement for delivery right after it.
  const claimedUntil = lease ? param.timestamptz(new Date(Date.parse(request.now) + lease).toISOString()) : sql`cast(null as timestamptz)`;
  const list = (query: ReturnType<typeof sql>) => sql`coalesce((select jsonb_agg(item) from (${query}) as items(item)), '[]'::jsonb)`;
  const { rows } = await sql<{ document: string }>`
    with customer as (
      select * from ${sql.table(CUSTOMERS)} where id = ${id} and deleted_at is null
    ), audit as (
      insert into ${sql.table(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, claimed_until)
      select ${param.uuid(request.eventId)}, ${CUSTOMER_EXPORT_AGGREGATE}, ${param.uuid(request.exportId)}, 1, 'CustomerDataExported', 1, ${now},
             ${request.actor}, ${param.jsonb(eventData)}, ${claimedUntil}
      from customer
      returning 1
    )
    select jsonb_build_object(
      'customer', (select to_jsonb(c) - 'erased' - 'summary_revision' from customer c),
      'history', ${list(sql`
        select jsonb_build_object('event_id', e.event_id, 'event_type', e.event_type, 'event_version', e.event_version,
                                  'customer_version', e.aggregate_version, 'occurred_at', e.occurred_at, 'actor', e.actor, 'data', e.data)
        from ${sql.table(EVENTS)} e where e.aggregate_type = 'customer' and e.aggregate_id = ${id} order by e.aggregate_version`)},
      'interactions', ${list(sql`
        select to_jsonb(i) - 'counts_as_contact' from ${sql.table(INTERACTIONS)} i
        where i.deleted_at is null and (
          exists (select 1 from ${sql.table(INTERACTION_LINKS)} l
                  where l.interaction_id = i.id and l.target_type = 'customer' and l.target_id = ${id} and l.deleted_at is null)
          or i.participants @> ${param.jsonb([{ customer_id: request.customerId }])})
        order by i.occurred_at, i.id`)},
      'deals', ${list(sql`
        select to_jsonb(d) from ${sql.table(DEALS)} d
        where d.deleted_at is null
          and (d.primary_customer_id = ${id} or d.contacts @> ${param.jsonb([{ customer_id: request.customerId }])})
        order by d.created_at, d.id`)},
      'orders', ${list(sql`select to_jsonb(p) from ${sql.table(PURCHASES)} p where p.customer_id = ${id} order by p.placed_at, p.order_id`)},
      'insights', ${list(sql`select to_jsonb(s) from ${sql.table(INSIGHTS)} s where s.customer_id = ${id} order by s.currency`)},
      'exported_at', ${request.now}::text
    )::text as document
    from customer, (select count(*) from audit) as recorded`.execute(db);
  const row = rows[0];
  if (!row) return err(customerNotFound(request.customerId));
  const event: DomainEvent = {
    eventId: request.eventId,
    type: 'CustomerDataExported',
    eventVersion: 1,
    aggregateType: CUSTOMER_EXPORT_AGGREGATE,
    aggregateId: request.exportId,
    aggregateVersion: 1,
    occurredAt: request.now,
    actor: request.actor,
    data: eventData,
  };
  if (lease !== undefined) markClaimedOnWrite(event);
  return ok({ document: JSON.parse(row.document) as JsonObject, event });
}
