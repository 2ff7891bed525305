import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Customer, PatchableField } from '../../domain/customer/customer.js';
import type { CustomerEvent, CustomerEventType } from '../../domain/customer/customer.events.js';
import type { CustomerListQuery, CustomerPage, CustomerRepository, Visibility } from '../../domain/customer/customer-repository.js';
import type { Email } from '../../domain/shared/email.js';
import type { Database } from '../db/database.js';
import { insightMatches } from '../analytics/insight-filter.js';
import { reusablePlan } from '../db/reusable-plans.js';
import { executeCached } from '../db/statement-cache.js';
import { param } from '../db/sql-values.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import { emailSuppressed } from '../privacy/email-suppression.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { readStreamPage } from '../kit/stream-history.js';
import { possibleDuplicatesOfNew } from '../duplicates/customer-duplicate-rules.js';
import { CUSTOMER_TABLE, CUSTOMER_TAGS, CUSTOMERS, rowToCustomer, type CustomerRow } from './customer-table.js';
import { CUSTOMER_EMAILS } from '../merge/merge-tables.js';
import { liveHolders } from '../merge/merged-holders.js';

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
    // Every new customer comes back with its possible duplicates, read by the insert statement itself; an
    // erased person's suppressed email cannot come back (by the API, an import or a signup): the insert's own rule.
    insert: (customer, event, visibility) =>
      store.insert(customer, event, {
        rules: [{ rule: 'suppressed', holds: () => sql<boolean>`not ${emailSuppressed(customer.email)}` }],
        reads: { duplicates: (row) => possibleDuplicatesOfNew(row, customerScope(visibility)) },
      }),
    // A customer merged into another is missing like a deleted one; the kit's read notes where it went,
    // so that explaining the 404 (CUSTOMER.MERGED, docs/merge.md) costs no further call.
    findById: (id, visibility) => store.findById(id, { scope: customerScope(visibility) }),
    saveChange: (customerId, change, context, visibility) =>
      store.saveChange(customerId, change, context, { scope: customerScope(visibility) }),

    // An email finds the customer holding it, or the survivor a customer with it was merged into (its alias).
    async findByEmail(email: Email, visibility) {
      const scope = customerScope(visibility);
      const statement = sql<CustomerRow>`${reusablePlan}
        select * from ${sql.table(CUSTOMERS)}
        where id = (select customer_id from ${sql.table(CUSTOMER_EMAILS)} where email = ${email.toLowerCase()})
          and deleted_at is null${scope ? sql` and ${scope}` : sql``}`;
      // Marked statements go through the statement cache (test/persistence/statement-cache.test.ts).
      const { rows } = await executeCached(statement, db);
      return rows[0] ? rowToCustomer(rows[0]) : null;
    },

    async findIdsByEmails(emails, visibility) {
      if (emails.length === 0) return new Map();
      const rows = await visible(visibility)
        .innerJoin(CUSTOMER_EMAILS, `${CUSTOMER_EMAILS}.customer_id`, `${CUSTOMERS}.id`)
        .clearSelect()
        .select([`${CUSTOMERS}.id as id`, `${CUSTOMER_EMAILS}.email as email`])
        .where(
          `${CUSTOMER_EMAILS}.email`,
          'in',
          emails.map((email) => email.toLowerCase()),
        )
        .execute();
      return new Map(rows.map((row) => [row.email, row.id]));
    },

    async findIdByUnique(field, value, visibility) {
      const match =
        field === 'email'
          ? sql`id = (select customer_id from ${sql.table(CUSTOMER_EMAILS)} where email = ${value.toLowerCase()})`
          : field === 'external_id'
            ? sql`id in ${liveHolders(CUSTOMERS, sql<boolean>`held.external_id = ${value}`)}`
            : sql`user_id = ${param.uuid(value)}`;
      const row = await visible(visibility)
        .where(match as RawBuilder<boolean>)
        .executeTakeFirst();
      return row?.id ?? null;
    },

    async findMergedInto(id, noted = true) {
      // What the read that just missed it noted (in any scope: the caller's read was scoped already).
      if (noted) return store.mergedInto(id);
      const { rows } = await sql<{ merged_into: string | null }>`
        select cast(merged_into as text) as merged_into from ${sql.table(CUSTOMERS)} where id = ${param.uuid(id)}`.execute(db);
      return rows[0]?.merged_into ?? null;
    },

    async resolveMerged(id) {
      // Follows merged_into through a chain of merges to the live customer at its end (bounded: a chain
      // is short). The start itself counts: an unmerge that committed since the caller found it merged
      // made it live again, and the order is its own again.
      const { rows } = await sql<{ id: string }>`
        with recursive chain (id, merged_into, deleted_at, depth) as (
          select id, merged_into, deleted_at, 0 from ${sql.table(CUSTOMERS)} where id = ${param.uuid(id)}
          union all
          select c.id, c.merged_into, c.deleted_at, chain.depth + 1
          from ${sql.table(CUSTOMERS)} c join chain on c.id = chain.merged_into
          where chain.deleted_at is not null and chain.depth < 20
        )
        select cast(id as text) as id from chain where deleted_at is null order by depth limit 1`.execute(db);
      return rows[0]?.id ?? null;
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
      // In creation order with a tag every match must have, the page is a walk of that tag's
      // keyset index (customer_tags), whatever the tag's frequency or age: neither the created_at
      // index filtered by tag (a rare, old tag reads the whole table) nor a sort of every match.
      const tag =
        keyColumn === 'created_at' ? (query.tagsAll?.[0] ?? (query.tagsAny?.length === 1 ? query.tagsAny[0] : undefined)) : undefined;
      let select =
        tag === undefined
          ? visible()
          : db
              .selectFrom(CUSTOMERS)
              .innerJoin(CUSTOMER_TAGS, `${CUSTOMER_TAGS}.customer_id`, `${CUSTOMERS}.id`)
              .selectAll(CUSTOMERS)
              .where(`${CUSTOMER_TAGS}.tag`, '=', tag)
              .where('deleted_at', 'is', null);
      if (query.status) select = select.where('status', '=', query.status);
      if (query.tier) select = select.where('tier', '=', query.tier);
      if (query.source) select = select.where('source', '=', query.source);
      if (query.assignedTo) select = select.where('assigned_to', '=', param.uuid(query.assignedTo));
      if (query.companyId) select = select.where('company_id', '=', param.uuid(query.companyId));
      if (query.userId) select = select.where('user_id', '=', param.uuid(query.userId));
      if (query.externalId) select = select.where('external_id', '=', query.externalId);
      // `@>` with a one-element array per tag lets the jsonb_path_ops GIN index answer "any of".
      // The tag the index answers is not tested again on `tags`: the planner would multiply the two
      // selectivities, expect a handful of rows and hash-join every holder of the tag instead.
      const tagsAny = query.tagsAny;
      const indexedAny = tag !== undefined && tagsAny?.length === 1 && tagsAny[0] === tag;
      if (tagsAny?.length && !indexedAny) select = select.where((eb) => eb.or(tagsAny.map((one) => eb('tags', '@>', param.jsonb([one])))));
      const tagsAll = tag !== undefined && query.tagsAll?.[0] === tag ? query.tagsAll.slice(1) : query.tagsAll;
      if (tagsAll?.length) select = select.where('tags', '@>', param.jsonb(tagsAll));
      if (query.text) {
        const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        select = select.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'like', pattern)]));
      }
      if (query.createdFrom) select = select.where('created_at', '>=', param.timestamptz(query.createdFrom));
      if (query.createdTo) select = select.where('created_at', '<', param.timestamptz(query.createdTo));
      // The tag index holds the same key (creation time, id) under its own column names.
      const [keyRef, idRef] =
        tag === undefined ? [keyColumn, 'id'] : [`${CUSTOMER_TAGS}.customer_created_at`, `${CUSTOMER_TAGS}.customer_id`];
      if (query.insight) select = select.where(insightMatches(query.insight));
      if (query.after) {
        const key = keyColumn === 'created_at' ? param.timestamptz(query.after.key) : sql`${query.after.key}`;
        const operator = sql.raw(descending ? '<' : '>');
        select = select.where(sql<boolean>`(${sql.ref(keyRef)}, ${sql.ref(idRef)}) ${operator} (${key}, ${param.uuid(query.after.id)})`);
      }
      const direction = descending ? 'desc' : 'asc';
      const rows = await select
        .orderBy(sql.ref(keyRef), direction)
        .orderBy(sql.ref(idRef), direction)
        .limit(query.limit + 1)
        .execute();
      const customers = rows.slice(0, query.limit).map(rowToCustomer);
      const last = customers[customers.length - 1];
      const next = rows.length > query.limit && last ? { key: keyColumn === 'name' ? last.name : last.createdAt, id: last.id } : null;
      return { customers, next };
    },

    history: (customerId, page, visibility) =>
      readStreamPage<CustomerEvent>(
        db,
        { table: CUSTOMERS, aggregateType: 'customer', id: customerId, scope: customerScope(visibility) },
        page,
      ),
  };
}
