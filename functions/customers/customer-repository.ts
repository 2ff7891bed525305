import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Customer, PatchableField } from '../../domain/customer/customer.js';
import { PUBLIC_FIELD_NAMES } from '../../domain/customer/customer.js';
import type { CustomerChange } from '../../domain/customer/customer-change.js';
import type { ChangeContext, CustomerEvent } from '../../domain/customer/customer.events.js';
import type {
  CustomerListQuery,
  CustomerPage,
  CustomerRepository,
  InsertOutcome,
  SaveChangeOutcome,
  UniqueField,
  Visibility,
} from '../../domain/customer/customer-repository.js';
import type { Email } from '../../domain/shared/email.js';
import type { Database } from '../db/database.js';
import { classifyDatabaseError } from '../db/database-errors.js';
import { expectingFailure } from '../db/savepoint.js';
import { param } from '../db/sql-values.js';
import {
  CUSTOMERS,
  customerToInsert,
  EVENTS,
  eventToInsert,
  PATCH_COLUMNS,
  rowToCustomer,
  rowToEvent,
  type CustomerRow,
  type EventRow,
} from './customer-table.js';

const UNIQUE_INDEXES: Record<string, UniqueField> = {
  idx_customers_email: 'email',
  idx_customers_user: 'user_id',
};

/** The unique rule behind a failed write, if that is why it failed. */
function uniqueConflict(error: unknown): UniqueField | null {
  const failure = classifyDatabaseError(error);
  if (failure?.kind !== 'unique_violation') return null;
  return UNIQUE_INDEXES[failure.constraint ?? ''] ?? null;
}

/** Customers in PostgreSQL through Kysely; every write is one statement carrying its event. */
export function createCustomerRepository(db: Kysely<Database>): CustomerRepository {
  const visible = (visibility: Visibility = {}) => {
    const live = db.selectFrom(CUSTOMERS).selectAll().where('deleted_at', 'is', null);
    return visibility.assignedTo === undefined ? live : live.where('assigned_to', '=', param.uuid(visibility.assignedTo));
  };

  return {
    async insert(customer, event): Promise<InsertOutcome> {
      try {
        await expectingFailure(db, () =>
          db
            .with('inserted', (qb) => qb.insertInto(CUSTOMERS).values(customerToInsert(customer)))
            .insertInto(EVENTS)
            .values(eventToInsert(event))
            .execute(),
        );
        return { kind: 'inserted' };
      } catch (error) {
        const field = uniqueConflict(error);
        if (field) return { kind: 'conflict', field };
        throw error;
      }
    },

    async findById(id, visibility) {
      const row = await visible(visibility).where('id', '=', param.uuid(id)).executeTakeFirst();
      return row ? rowToCustomer(row) : null;
    },

    async findByEmail(email: Email, visibility) {
      const row = await visible(visibility)
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      return row ? rowToCustomer(row) : null;
    },

    async findIdByUnique(field, value, visibility) {
      const match = field === 'email' ? sql`lower(email) = ${value.toLowerCase()}` : sql`user_id = ${param.uuid(value)}`;
      const row = await visible(visibility)
        .where(match as RawBuilder<boolean>)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async saveChange(customerId, change, context, visibility = {}): Promise<SaveChangeOutcome> {
      try {
        const { rows } = await expectingFailure(db, () => saveChangeStatement(customerId, change, context, visibility).execute(db));
        const row = rows[0];
        if (!row) return { kind: 'not_applied' };
        const saved = rowToCustomer(row);
        return { kind: 'saved', customer: saved, event: changeEvent(saved, change, context, row) };
      } catch (error) {
        const field = uniqueConflict(error);
        if (field) return { kind: 'conflict', field };
        if (classifyDatabaseError(error)?.kind === 'check_violation') return { kind: 'not_applied' };
        throw error;
      }
    },

    async list(query: CustomerListQuery): Promise<CustomerPage> {
      const descending = query.sort.startsWith('-');
      const keyColumn = query.sort.replace('-', '') as 'created_at' | 'name';
      let select = visible();
      if (query.status) select = select.where('status', '=', query.status);
      if (query.tier) select = select.where('tier', '=', query.tier);
      if (query.source) select = select.where('source', '=', query.source);
      if (query.assignedTo) select = select.where('assigned_to', '=', param.uuid(query.assignedTo));
      if (query.companyId) select = select.where('company_id', '=', param.uuid(query.companyId));
      if (query.userId) select = select.where('user_id', '=', param.uuid(query.userId));
      // `@>` with a one-element array per tag lets the jsonb_path_ops GIN index answer "any of".
      const tagsAny = query.tagsAny;
      if (tagsAny?.length) select = select.where((eb) => eb.or(tagsAny.map((tag) => eb('tags', '@>', param.jsonb([tag])))));
      if (query.tagsAll?.length) select = select.where('tags', '@>', param.jsonb(query.tagsAll));
      if (query.text) {
        const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        select = select.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'like', pattern)]));
      }
      if (query.createdFrom) select = select.where('created_at', '>=', param.timestamptz(query.createdFrom));
      if (query.createdTo) select = select.where('created_at', '<', param.timestamptz(query.createdTo));
      if (query.after) {
        const key = keyColumn === 'created_at' ? param.timestamptz(query.after.key) : sql`${query.after.key}`;
        const operator = sql.raw(descending ? '<' : '>');
        select = select.where(sql<boolean>`(${sql.ref(keyColumn)}, id) ${operator} (${key}, ${param.uuid(query.after.id)})`);
      }
      const direction = descending ? 'desc' : 'asc';
      const rows = await select
        .orderBy(keyColumn, direction)
        .orderBy('id', direction)
        .limit(query.limit + 1)
        .execute();
      const customers = rows.slice(0, query.limit).map(rowToCustomer);
      const last = customers[customers.length - 1];
      const next = rows.length > query.limit && last ? { key: keyColumn === 'name' ? last.name : last.createdAt, id: last.id } : null;
      return { customers, next };
    },

    async history(customerId, page, visibility = {}) {
      // One statement: the customer (within the visibility), the anchor event named by `after`
      // (lateral, so "unknown after" is a row without an anchor) and the page after it.
      const anchor =
        page.after === undefined
          ? sql`(select cast(0 as integer) as anchor_version) anchor`
          : sql`lateral (select customer_version as anchor_version from ${sql.table(EVENTS)}
                where event_id = ${param.uuid(page.after)} and customer_id = c.id) anchor on true`;
      const owner = visibility.assignedTo === undefined ? sql`` : sql`and c.assigned_to = ${param.uuid(visibility.assignedTo)}`;
      const { rows } = await sql<HistoryRow>`
        select page.*, anchor.anchor_version
        from ${sql.table(CUSTOMERS)} c
        ${page.after === undefined ? sql`cross join` : sql`left join`} ${anchor}
        left join lateral (
          select e.* from ${sql.table(EVENTS)} e
          where e.customer_id = c.id and e.customer_version > anchor.anchor_version
          order by e.customer_version
          limit ${page.limit + 1}
        ) page on true
        where c.id = ${param.uuid(customerId)} and c.deleted_at is null ${owner}
        order by page.customer_version`.execute(db);
      if (rows.length === 0) return null;
      if (rows[0]!.anchor_version === null) return { kind: 'unknown_after' };
      const events = rows.filter((row): row is HistoryRow & EventRow => row.event_id !== null).map(rowToEvent);
      return { kind: 'page', items: events.slice(0, page.limit), hasMore: events.length > page.limit };
    },
  };
}

type HistoryRow = { [K in keyof EventRow]: EventRow[K] | null } & { anchor_version: number | null };

type SaveRow = CustomerRow & { event_data: Record<string, unknown> | string };

/**
 * One statement: lock the row only if every precondition holds and something would change,
 * update it, and append the event whose `changes` compare the locked (old) and updated rows.
 */
function saveChangeStatement(customerId: string, change: CustomerChange, context: ChangeContext, visibility: Visibility) {
  const fields = Object.keys(change.set) as PatchableField[];
  const bound = fields.map((field) => ({ field, codec: PATCH_COLUMNS[field], value: PATCH_COLUMNS[field].bind(change.set[field]) }));
  const guards: RawBuilder<unknown>[] = [sql`id = ${param.uuid(customerId)}`, sql`deleted_at is null`];
  if (change.requiresStatus) guards.push(sql`status = ${change.requiresStatus.status}`);
  if (change.expectedVersion !== undefined) guards.push(sql`version = ${change.expectedVersion}`);
  if (change.expectedSummaryRevision !== undefined) guards.push(sql`summary_revision = ${change.expectedSummaryRevision}`);
  if (visibility.assignedTo !== undefined) guards.push(sql`assigned_to = ${param.uuid(visibility.assignedTo)}`);
  guards.push(
    sql`(${sql.join(
      bound.map(({ codec, value }) => codec.differs(sql.ref(codec.column), sql`${value}`)),
      sql` or `,
    )})`,
  );

  const assignments = bound.map(({ codec, value }) => sql`${sql.ref(codec.column)} = ${value}`);
  const changes = bound.map(({ field, codec }) => {
    const before = sql.ref(`old.${codec.column}`) as RawBuilder<unknown>;
    const after = sql.ref(`updated.${codec.column}`) as RawBuilder<unknown>;
    return sql`case when ${codec.differs(before, after)} then jsonb_build_object(${sql.lit(PUBLIC_FIELD_NAMES[field])}, jsonb_build_object('from', ${codec.toJson(before)}, 'to', ${codec.toJson(after)})) else '{}'::jsonb end`;
  });
  const now = param.timestamptz(context.now);

  return sql<SaveRow>`
    with old as (
      select * from ${sql.table(CUSTOMERS)} where ${sql.join(guards, sql` and `)} for update
    ), updated as (
      update ${sql.table(CUSTOMERS)} as c set ${sql.join(assignments)}, version = old.version + 1, updated_at = ${now}
      from old where c.id = old.id
      returning c.*
    ), event as (
      insert into ${sql.table(EVENTS)} (event_id, customer_id, customer_version, event_type, event_version, occurred_at, actor, data)
      select ${param.uuid(context.eventId)}, updated.id, updated.version, ${change.event}, 1, ${now}, ${context.actor},
             jsonb_build_object('changes', ${sql.join(changes, sql` || `)}) || ${param.jsonb(change.note ?? {})}
      from updated join old on old.id = updated.id
      returning data
    )
    select updated.*, event.data as event_data from updated, event`;
}

function changeEvent(saved: Customer, change: CustomerChange, context: ChangeContext, row: SaveRow): CustomerEvent {
  return {
    eventId: context.eventId,
    type: change.event,
    eventVersion: 1,
    customerId: saved.id,
    customerVersion: saved.version,
    occurredAt: context.now,
    actor: context.actor,
    data: (typeof row.event_data === 'string' ? JSON.parse(row.event_data) : row.event_data) as CustomerEvent['data'],
  };
}
