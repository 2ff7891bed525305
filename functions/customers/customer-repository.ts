import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Customer, PatchableField } from '../../domain/customer/customer.js';
import type { CustomerEvent, CustomerEventType } from '../../domain/customer/customer.events.js';
import type { CustomerListQuery, CustomerPage, CustomerRepository, Visibility } from '../../domain/customer/customer-repository.js';
import type { Email } from '../../domain/shared/email.js';
import type { Database } from '../db/database.js';
import { insightMatches } from '../analytics/insight-filter.js';
import { param } from '../db/sql-values.js';
import { EVENTS, rowToEvent, type EventRow } from '../events/event-table.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { CUSTOMER_TABLE, CUSTOMERS, rowToCustomer } from './customer-table.js';

/** The sales rep scope as a condition on the customers table. */
export function customerScope(visibility: Visibility = {}): RowScope {
  return visibility.assignedTo === undefined ? undefined : sql<boolean>`assigned_to = ${param.uuid(visibility.assignedTo)}`;
}

/** Customers in PostgreSQL through Kysely; every write is one statement carrying its event (the write kit). */
export function createCustomerRepository(db: Kysely<Database>): CustomerRepository {
  const store = createAggregateStore<Customer, PatchableField, CustomerEventType>(db, CUSTOMER_TABLE);
  const visible = (visibility: Visibility = {}) => {
    const live = db.selectFrom(CUSTOMERS).selectAll().where('deleted_at', 'is', null);
    return visibility.assignedTo === undefined ? live : live.where('assigned_to', '=', param.uuid(visibility.assignedTo));
  };

  return {
    insert: (customer, event) => store.insert(customer, event),
    findById: (id, visibility) => store.findById(id, { scope: customerScope(visibility) }),
    saveChange: (customerId, change, context, visibility) =>
      store.saveChange(customerId, change, context, { scope: customerScope(visibility) }),

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

    async lockForOrders(customerId) {
      const row = await db
        .selectFrom(CUSTOMERS)
        .select('id')
        .where('id', '=', param.uuid(customerId))
        .where('deleted_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      return row !== undefined;
    },

    async saveSummary(customerId, summary) {
      await db
        .updateTable(CUSTOMERS)
        .set({
          orders_count: summary.ordersCount,
          total_spent: param.jsonb(summary.totalSpent),
          first_order_at: summary.firstOrderAt === null ? null : param.timestamptz(summary.firstOrderAt),
          last_order_at: summary.lastOrderAt === null ? null : param.timestamptz(summary.lastOrderAt),
          summary_revision: sql<number>`summary_revision + 1`,
        })
        .where('id', '=', param.uuid(customerId))
        .execute();
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
      if (query.insight) select = select.where(insightMatches(query.insight));
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
          : sql`lateral (select aggregate_version as anchor_version from ${sql.table(EVENTS)}
                where event_id = ${param.uuid(page.after)} and aggregate_type = 'customer' and aggregate_id = c.id) anchor on true`;
      const owner = visibility.assignedTo === undefined ? sql`` : sql`and c.assigned_to = ${param.uuid(visibility.assignedTo)}`;
      const { rows } = await sql<HistoryRow>`
        select page.*, anchor.anchor_version
        from ${sql.table(CUSTOMERS)} c
        ${page.after === undefined ? sql`cross join` : sql`left join`} ${anchor}
        left join lateral (
          select e.* from ${sql.table(EVENTS)} e
          where e.aggregate_type = 'customer' and e.aggregate_id = c.id and e.aggregate_version > anchor.anchor_version
          order by e.aggregate_version
          limit ${page.limit + 1}
        ) page on true
        where c.id = ${param.uuid(customerId)} and c.deleted_at is null ${owner}
        order by page.aggregate_version`.execute(db);
      if (rows.length === 0) return null;
      if (rows[0]!.anchor_version === null) return { kind: 'unknown_after' };
      const events = rows
        .filter((row): row is HistoryRow & EventRow => row.event_id !== null)
        .map((row) => rowToEvent(row) as CustomerEvent);
      return { kind: 'page', items: events.slice(0, page.limit), hasMore: events.length > page.limit };
    },
  };
}

type HistoryRow = { [K in keyof EventRow]: EventRow[K] | null } & { anchor_version: number | null };
