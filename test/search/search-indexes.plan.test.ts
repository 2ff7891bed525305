import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_SEARCH } from '../../functions/customers/customer-search.js';
import { DEAL_SEARCH } from '../../functions/deals/deal-search.js';
import { encodeSearchCursor } from '../../functions/search/search-cursor.js';
import { searchRequestSchema } from '../../functions/search/search-request.js';
import { searchStatement } from '../../functions/search/search-statement.js';
import type { SearchableObject } from '../../functions/search/searchable-object.js';
import { openTestDatabase, type DialectName, type TestDatabase } from '../support/test-databases.js';

const ROWS = 100_000;
const REP = '019b6ec4-774c-70e0-9c2c-000000000007';
const OLDEST_FIRST = [{ property: 'created_at', direction: 'asc' as const }];
const dialects: DialectName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * Issue 18: the common search shapes at 100,000 customers and 100,000 deals read an index, never
 * the whole table. The statement EXPLAINed is the one the route runs (searchStatement), with a
 * custom plan and with the generic plan a prepared statement may switch to.
 */
describe.each(dialects)('search plans at %i rows on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    // 50 reps (one of them REP), statuses 40/30/25/5 %, a tag on 1 % (vip), one on 20 % (b2b), one on 0.2 % (legacy), two years of creation.
    await sql`
      insert into customer_mgmt_customers (id, name, email, status, tier, assigned_to, tags, created_at, updated_at, churned_at)
      select gen_random_uuid(), 'Seeded ' || g, 'seeded.' || g || '@example.com',
             case when g % 20 < 8 then 'lead' when g % 20 < 14 then 'prospect' when g % 20 < 19 then 'customer' else 'churned' end,
             (array['free', 'basic', 'pro', 'enterprise'])[1 + g % 4],
             case when g % 50 = 7 then cast(${REP} as uuid)
                  else cast('019b6ec4-774c-70e0-9c2c-' || lpad(to_hex(g % 50), 12, '0') as uuid) end,
             case when g % 500 = 0 then '["legacy"]'::jsonb when g % 100 = 1 then '["vip", "b2b"]'::jsonb
                  when g % 5 = 0 then '["b2b"]'::jsonb else '[]'::jsonb end,
             timestamptz '2025-01-01' + g * interval '10 minutes', timestamptz '2025-01-01' + g * interval '10 minutes',
             case when g % 20 = 19 then timestamptz '2025-01-01' + g * interval '10 minutes' end
      from generate_series(1, ${ROWS}) as g`.execute(database.db);
    // One deal per customer: three currencies, amounts from 0 to 9,999,900 minor units.
    await sql`
      insert into customer_mgmt_deals (id, name, pipeline_id, stage, status, amount_minor, currency, expected_close_date,
                                       primary_customer_id, owner_id, tags, stage_entered_at, created_at, updated_at)
      select gen_random_uuid(), 'Deal ' || c.name, cast('00000000-0000-7000-8000-000000000001' as uuid), 'qualification', 'open',
             (hashtext(c.email) & 99999) * 100, (array['EUR', 'USD', 'GBP'])[1 + abs(hashtext(c.name)) % 3],
             date '2026-01-01' + (abs(hashtext(c.email)) % 365), c.id, c.assigned_to, c.tags, c.created_at, c.created_at, c.created_at
      from customer_mgmt_customers c`.execute(database.db);
    await sql`analyze customer_mgmt_customers`.execute(database.db);
    await sql`analyze customer_mgmt_deals`.execute(database.db);
  }, 300_000);
  afterAll(() => database.close());

  /** The plan of the route's statement for `body` (as an admin), and how many rows its page holds. */
  async function planOf(object: SearchableObject<any>, body: unknown, generic: boolean) {
    const request = searchRequestSchema(object).parse(body);
    const compiled = searchStatement(object, { ...request, scope: undefined }).compile(database.db);
    const rows = (await database.db.executeQuery(CompiledQuery.raw(compiled.sql, [...compiled.parameters]))).rows.length;
    const explain = async (text: string) =>
      (await database.db.executeQuery<Record<string, string>>(CompiledQuery.raw(text, [...compiled.parameters]))).rows
        .map((row) => Object.values(row)[0])
        .join('\n');
    if (!generic) return { plan: await explain(`explain (analyze, costs off) ${compiled.sql}`), rows };
    await sql`set plan_cache_mode = force_generic_plan`.execute(database.db);
    try {
      return { plan: await explain(`explain (costs off) ${compiled.sql}`), rows };
    } finally {
      await sql`reset plan_cache_mode`.execute(database.db);
    }
  }

  const eq = (property: string, value: unknown) => ({ property, operator: 'eq', value });
  const shapes: [string, SearchableObject<any>, string, Record<string, unknown>, number][] = [
    [
      'customers: status and owner',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      { filter_groups: [{ filters: [eq('status', 'lead'), eq('assigned_to', REP)] }] },
      21,
    ],
    [
      'customers: any of two tags',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      { filter_groups: [{ filters: [{ property: 'tags', operator: 'in', values: ['legacy', 'vip'] }] }] },
      21,
    ],
    [
      'customers: all of two tags',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      { filter_groups: [{ filters: [{ property: 'tags', operator: 'all', values: ['vip', 'b2b'] }] }] },
      21,
    ],
    [
      'customers: a week of creation dates',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      {
        filter_groups: [
          { filters: [{ property: 'created_at', operator: 'between', value: '2025-03-01T00:00:00Z', high_value: '2025-03-08T00:00:00Z' }] },
        ],
      },
      21,
    ],
    [
      'customers: a rare tag, newest first',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      { filter_groups: [{ filters: [eq('tags', 'legacy')] }], sorts: [{ property: 'created_at', direction: 'desc' }] },
      21,
    ],
    [
      // What an export's later pages run (export-runner.ts): oldest first, bounded by its start, after the previous page.
      'customers: an export page (oldest first, created by the export’s start, after a cursor)',
      CUSTOMER_SEARCH,
      'customer_mgmt_customers',
      {
        filter_groups: [{ filters: [{ property: 'created_at', operator: 'lte', value: '2026-06-01T00:00:00Z' }] }],
        sorts: OLDEST_FIRST,
        after: encodeSearchCursor(OLDEST_FIRST, { keys: ['2025-06-01T00:00:00.000000Z'], id: '00000000-0000-7000-8000-000000000000' }),
      },
      21,
    ],
    [
      'deals: an amount range in one currency, largest first',
      DEAL_SEARCH,
      'customer_mgmt_deals',
      {
        filter_groups: [
          {
            filters: [
              {
                property: 'amount',
                operator: 'between',
                value: { amount_minor: 100_000, currency: 'EUR' },
                high_value: { amount_minor: 200_000, currency: 'EUR' },
              },
            ],
          },
        ],
        sorts: [{ property: 'amount', direction: 'desc' }],
      },
      21,
    ],
    [
      'deals: a close-date range, soonest first',
      DEAL_SEARCH,
      'customer_mgmt_deals',
      {
        filter_groups: [
          { filters: [{ property: 'expected_close_date', operator: 'between', value: '2026-03-01', high_value: '2026-03-31' }] },
        ],
        sorts: [{ property: 'expected_close_date', direction: 'asc' }],
      },
      21,
    ],
  ];

  it.each(shapes)('%s reads an index, not the whole table', async (shape, object, table, body, expected) => {
    for (const generic of [false, true]) {
      const { plan, rows } = await planOf(object, body, generic);
      if (process.env.SHOW_PLANS) console.log(`${shape} (${dialect}, ${generic ? 'generic' : 'custom'})\n${plan}`);
      expect(rows).toBe(expected);
      expect(plan, plan).not.toMatch(new RegExp(`Seq Scan on ${table}`));
    }
  });

  it('a rep’s customers in one status are a range of the (owner, status, created) index: 21 entries read for 21 rows', async () => {
    const { plan } = await planOf(CUSTOMER_SEARCH, { filter_groups: [{ filters: [eq('status', 'lead'), eq('assigned_to', REP)] }] }, false);
    expect(plan, plan).toMatch(
      /idx_customers_owner_status_created on customer_mgmt_customers \(actual time=[\d.]+\.\.[\d.]+ rows=21(\.00)? loops=1\)/,
    );
    expect(plan, plan).not.toMatch(/Rows Removed by Filter/);
  });

  it('an amount range in one currency, largest first, walks idx_deals_amount backwards without sorting the matches', async () => {
    const amount = (amount_minor: number) => ({ amount_minor, currency: 'EUR' });
    const body = {
      filter_groups: [{ filters: [{ property: 'amount', operator: 'between', value: amount(100_000), high_value: amount(200_000) }] }],
      sorts: [{ property: 'amount', direction: 'desc' }],
    };
    const { plan } = await planOf(DEAL_SEARCH, body, false);
    expect(plan, plan).toMatch(/Index Scan Backward using idx_deals_amount/);
    expect(plan, plan).not.toMatch(/Sort Key/);
  });
});
