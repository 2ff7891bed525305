import { sql, type Kysely } from 'kysely';
import type { CustomerEvent } from '../../domain/customer/customer.events.js';
import type { ChangeContext } from '../../domain/shared/domain-event.js';
import type { Database } from '../db/database.js';
import { param, uuidV7At } from '../db/sql-values.js';
import { EVENTS, rowToEvent, type EventRow } from '../events/event-table.js';
import { CUSTOMERS } from './customer-table.js';

/**
 * Clears company_id on every live contact of a company, each with its CustomerUpdated event, in
 * one statement (run inside the transaction that deletes the company). Event ids (UUID v7, like
 * every other) are made by the database here: one per contact, and the contacts are known only to
 * the statement.
 */
export async function detachCompanyContacts(db: Kysely<Database>, companyId: string, context: ChangeContext): Promise<CustomerEvent[]> {
  const now = param.timestamptz(context.now);
  const { rows } = await sql<EventRow>`
    with old as (
      select id, company_id from ${sql.table(CUSTOMERS)}
      where company_id = ${param.uuid(companyId)} and deleted_at is null
      for no key update
    ), updated as (
      update ${sql.table(CUSTOMERS)} as target set company_id = null, version = target.version + 1, updated_at = ${now}
      from old where target.id = old.id
      returning target.id, target.version
    )
    insert into ${sql.table(EVENTS)} (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data)
    select ${uuidV7At(context.now)}, 'customer', updated.id, updated.version, 'CustomerUpdated', 1, ${now}, ${context.actor},
           jsonb_build_object('changes', jsonb_build_object('company_id', jsonb_build_object('from', to_jsonb(old.company_id), 'to', null)))
    from updated join old on old.id = updated.id
    returning *`.execute(db);
  return rows.map((row) => rowToEvent(row) as CustomerEvent);
}
