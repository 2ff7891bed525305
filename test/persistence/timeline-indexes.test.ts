import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../domain/customer/create-customer.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { companyTimeline } from '../../functions/timeline/company-timeline.js';
import { customerTimeline } from '../../functions/timeline/customer-timeline.js';
import { dealTimeline } from '../../functions/timeline/deal-timeline.js';
import { readTimeline, timelinePageQuery, type TimelineQuery } from '../../functions/timeline/timeline-repository.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const PER_KIND = 10_000;

/** The plan of a statement as text, one node per line. */
async function planOf(database: TestDatabase, statement: ReturnType<typeof timelinePageQuery>): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${statement}`.execute(database.db);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

// EXPLAIN is asked of PostgreSQL itself (PGlite, and the server when DATABASE_URL is set); the Data API path sends the same SQL.
/** Per timeline: its subject, and the index each of its kinds must be read through. */
const TIMELINES = {
  customer: {
    subject: (ids: Ids) => customerTimeline(ids.customer, undefined),
    record: (ids: Ids) => ids.customer,
    indexes: ['idx_events_stream_time', 'idx_interaction_links_target', 'idx_purchases_customer_time'],
  },
  company: {
    subject: (ids: Ids) => companyTimeline(ids.company, undefined, true),
    record: (ids: Ids) => ids.company,
    indexes: [
      'idx_events_stream_time',
      'idx_interaction_links_target',
      'idx_purchases_customer_time',
      'idx_customers_company',
      'idx_deals_company',
    ],
  },
  deal: {
    subject: (ids: Ids) => dealTimeline(ids.deal, undefined),
    record: (ids: Ids) => ids.deal,
    indexes: ['idx_events_stream_time', 'idx_interaction_links_target'],
  },
} as const;

interface Ids {
  readonly customer: string;
  readonly company: string;
  readonly deal: string;
}

// EXPLAIN is asked of PostgreSQL itself (PGlite, and the server when DATABASE_URL is set); the Data API path sends the same SQL.
describe.each(availableDialects().filter((dialect) => dialect !== 'data-api'))(
  `the timeline page queries on ${PER_KIND.toLocaleString('en')} items per kind use the indexes on %s`,
  (dialect) => {
    let database: TestDatabase;
    let ids: Ids;
    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      const created = createCustomer(
        { name: 'Busy Customer', email: 'busy@example.com' },
        { eventId: uuidv7(), now: '2020-01-01T00:00:00.000Z', actor: 'seed', customerId: uuidv7() },
      );
      if (!created.ok) throw new Error(created.error.message);
      await createCustomerRepository(database.db).insert(created.value.customer, created.value.event);
      ids = { customer: created.value.customer.id, company: uuidv7(), deal: uuidv7() };
      const customer = sql`cast(${ids.customer} as uuid)`;
      const company = sql`cast(${ids.company} as uuid)`;
      const deal = sql`cast(${ids.deal} as uuid)`;
      // The customer is a contact of the company, and the primary customer of the company's deal.
      await sql`insert into customer_mgmt_companies (id, name, created_at, updated_at) values (${company}, 'Busy Ltd', now(), now())`.execute(
        database.db,
      );
      await sql`update customer_mgmt_customers set company_id = ${company} where id = ${customer}`.execute(database.db);
      await sql`insert into customer_mgmt_deals (id, name, pipeline_id, stage, status, currency, company_id, primary_customer_id, stage_entered_at, created_at, updated_at)
        values (${deal}, 'Busy deal', '00000000-0000-7000-8000-000000000001', 'qualification', 'open', 'EUR', ${company}, ${customer}, now(), now(), now())`.execute(
        database.db,
      );
      // Other records' rows, so that each index has something to skip (with a single customer row,
      // any index over live customers is as good as the company index to the planner).
      await sql`insert into customer_mgmt_customers (id, name, email, status, tier, source, tags, version, created_at, updated_at)
        select gen_random_uuid(), 'Other ' || n, 'other' || n || '@example.com', 'lead', 'free', 'website', '[]'::jsonb, 1, now(), now()
        from generate_series(1, 5000) n`.execute(database.db);
      await sql`insert into customer_mgmt_deals (id, name, pipeline_id, stage, status, currency, primary_customer_id, stage_entered_at, created_at, updated_at)
        select gen_random_uuid(), 'Other deal ' || n, '00000000-0000-7000-8000-000000000001', 'qualification', 'open', 'EUR', ${customer}, now(), now(), now()
        from generate_series(1, 20) n`.execute(database.db);
      // Seeded in bulk, as years of history would be: each stream's events, linked interactions, orders.
      for (const [stream, id, type] of [
        ['customer', customer, 'CustomerTagsChanged'],
        ['company', company, 'CompanyTagsChanged'],
        ['deal', deal, 'DealTagsChanged'],
      ] as const) {
        await sql`insert into customer_mgmt_events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, published_at)
          select gen_random_uuid(), cast(${stream} as text), ${id}, n + 1, cast(${type} as text), 1, timestamptz '2020-01-01' + n * interval '1 hour', 'seed',
                 jsonb_build_object('changes', jsonb_build_object('tags', jsonb_build_object('from', '[]'::jsonb, 'to', '["x"]'::jsonb))), now()
          from generate_series(1, ${PER_KIND}) n`.execute(database.db);
      }
      for (const [target, id] of [
        ['customer', customer],
        ['company', company],
        ['deal', deal],
      ] as const) {
        await sql`with logged as (
            insert into customer_mgmt_interactions (id, type, occurred_at, links, owner_id, source, version, created_at, updated_at)
            select gen_random_uuid(), 'note', timestamptz '2020-01-01' + n * interval '1 hour' + interval '1 minute',
                   jsonb_build_object(cast(${target} as text), jsonb_build_array(${id})), gen_random_uuid(), 'import', 1, now(), now()
            from generate_series(1, ${PER_KIND}) n
            returning id, occurred_at, counts_as_contact)
          insert into customer_mgmt_interaction_links (interaction_id, target_type, target_id, occurred_at, counts_as_contact)
          select id, cast(${target} as text), ${id}, occurred_at, counts_as_contact from logged`.execute(database.db);
      }
      await sql`insert into customer_mgmt_purchases (order_id, customer_id, state, total_minor, currency, placed_at, updated_at)
        select gen_random_uuid(), ${customer}, 'completed', 1000 + n, 'EUR', timestamptz '2020-01-01' + n * interval '1 hour' + interval '2 minutes', now()
        from generate_series(1, ${PER_KIND}) n`.execute(database.db);
      await sql`analyze`.execute(database.db);
    }, 600_000);
    afterAll(() => database?.close());

    const kinds = ['lifecycle', 'interaction', 'order', 'deal'] as const;
    const cases: [string, Omit<TimelineQuery, 'limit'>][] = [
      ['the first page', { kinds }],
      ['a page after a cursor', { kinds, after: { occurredAt: '2020-06-01T00:00:00.000Z', rank: 2, id: uuidv7() } }],
      ['a time window', { kinds, from: '2020-03-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z' }],
    ];

    describe.each(Object.entries(TIMELINES))('the %s timeline', (_name, timeline) => {
      it.each(cases)('%s reads each kind through its index, never by scanning a table', async (_case, query) => {
        const plan = await planOf(database, timelinePageQuery(timeline.subject(ids), timeline.record(ids), { ...query, limit: 100 }));
        for (const index of timeline.indexes) expect(plan, plan).toContain(index);
        expect(plan, plan).not.toMatch(/Seq Scan on customer_mgmt_(events|interaction_links|purchases|interactions|customers|deals)\b/);
      });
    });

    it('the customer timeline answers the newest 100 of the 40,000 items', async () => {
      const page = await readTimeline(database.db, customerTimeline(ids.customer, undefined), ids.customer, { kinds, limit: 100 });
      expect(page?.items).toHaveLength(100);
      expect(page?.items.slice(0, 4).map((item) => item.kind)).toEqual(['order', 'interaction', 'deal', 'lifecycle']);
      expect(page?.next).not.toBeNull();
    });

    it('the company timeline answers its own, its deal’s and its contact’s items; without contacts only the first three', async () => {
      const page = await readTimeline(database.db, companyTimeline(ids.company, undefined, true), ids.company, { kinds, limit: 7 });
      // Each hour: an order and two interactions (contact's, company's) at +2 and +1 minutes, then the deal's and the company's events.
      expect(page?.items.map((item) => item.kind)).toEqual([
        'order',
        'interaction',
        'interaction',
        'deal',
        'lifecycle',
        'order',
        'interaction',
      ]);
      const own = await readTimeline(database.db, companyTimeline(ids.company, undefined, false), ids.company, { kinds, limit: 4 });
      expect(own?.items.map((item) => item.kind)).toEqual(['interaction', 'deal', 'lifecycle', 'interaction']);
    });
  },
);
