import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../domain/customer/create-customer.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { customerTimeline } from '../../functions/timeline/customer-timeline.js';
import { readTimeline, timelinePageQuery, type TimelineQuery } from '../../functions/timeline/timeline-repository.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const PER_KIND = 10_000;

/** The plan of a statement as text, one node per line. */
async function planOf(database: TestDatabase, statement: ReturnType<typeof timelinePageQuery>): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${statement}`.execute(database.db);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

// EXPLAIN is asked of PostgreSQL itself (PGlite, and the server when DATABASE_URL is set); the Data API path sends the same SQL.
describe.each(availableDialects().filter((dialect) => dialect !== 'data-api'))(
  `the timeline page query on ${PER_KIND.toLocaleString('en')} items per kind uses the indexes on %s`,
  (dialect) => {
    let database: TestDatabase;
    let customerId: string;
    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      const created = createCustomer(
        { name: 'Busy Customer', email: 'busy@example.com' },
        { eventId: uuidv7(), now: '2020-01-01T00:00:00.000Z', actor: 'seed', customerId: uuidv7() },
      );
      if (!created.ok) throw new Error(created.error.message);
      await createCustomerRepository(database.db).insert(created.value.customer, created.value.event);
      customerId = created.value.customer.id;
      const id = sql`cast(${customerId} as uuid)`;
      // Seeded in bulk, as years of history would be: events of the stream, linked interactions, orders.
      await sql`insert into customer_mgmt_events (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, event_version, occurred_at, actor, data, published_at)
        select gen_random_uuid(), 'customer', ${id}, n + 1, 'CustomerTagsChanged', 1, timestamptz '2020-01-01' + n * interval '1 hour', 'seed',
               jsonb_build_object('changes', jsonb_build_object('tags', jsonb_build_object('from', '[]'::jsonb, 'to', '["x"]'::jsonb))), now()
        from generate_series(1, ${PER_KIND}) n`.execute(database.db);
      await sql`insert into customer_mgmt_interactions (id, type, occurred_at, links, owner_id, source, version, created_at, updated_at)
        select gen_random_uuid(), 'note', timestamptz '2020-01-01' + n * interval '1 hour' + interval '1 minute',
               jsonb_build_object('customer', jsonb_build_array(${id})), gen_random_uuid(), 'import', 1, now(), now()
        from generate_series(1, ${PER_KIND}) n`.execute(database.db);
      await sql`insert into customer_mgmt_interaction_links (interaction_id, target_type, target_id, occurred_at, counts_as_contact)
        select id, 'customer', ${id}, occurred_at, counts_as_contact from customer_mgmt_interactions`.execute(database.db);
      await sql`insert into customer_mgmt_purchases (order_id, customer_id, state, total_minor, currency, placed_at, updated_at)
        select gen_random_uuid(), ${id}, 'completed', 1000 + n, 'EUR', timestamptz '2020-01-01' + n * interval '1 hour' + interval '2 minutes', now()
        from generate_series(1, ${PER_KIND}) n`.execute(database.db);
      await sql`analyze`.execute(database.db);
    }, 300_000);
    afterAll(() => database?.close());

    const cases: [string, Omit<TimelineQuery, 'limit'>][] = [
      ['the first page', { kinds: ['lifecycle', 'interaction', 'order'] }],
      [
        'a page after a cursor',
        { kinds: ['lifecycle', 'interaction', 'order'], after: { occurredAt: '2020-06-01T00:00:00.000Z', rank: 2, id: uuidv7() } },
      ],
      ['a time window', { kinds: ['lifecycle', 'interaction', 'order'], from: '2020-03-01T00:00:00.000Z', to: '2020-04-01T00:00:00.000Z' }],
    ];

    it.each(cases)('%s reads each kind through its index, never by scanning a table', async (_name, query) => {
      const plan = await planOf(database, timelinePageQuery(customerTimeline(customerId, {}), customerId, { ...query, limit: 100 }));
      for (const index of ['idx_events_stream_time', 'idx_interaction_links_target', 'idx_purchases_customer_time']) {
        expect(plan, plan).toContain(index);
      }
      expect(plan, plan).not.toMatch(/Seq Scan on customer_mgmt_(events|interaction_links|purchases|interactions)\b/);
    });

    it('and answers the newest 100 of the 30,000 items', async () => {
      const page = await readTimeline(database.db, customerTimeline(customerId, {}), customerId, {
        kinds: ['lifecycle', 'interaction', 'order'],
        limit: 100,
      });
      expect(page?.items).toHaveLength(100);
      expect(page?.items.slice(0, 3).map((item) => item.kind)).toEqual(['order', 'interaction', 'lifecycle']);
      expect(page?.next).not.toBeNull();
    });
  },
);
