import { CompiledQuery, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerListQuery } from '../../domain/customer/customer-repository.js';
import type { Tag } from '../../domain/shared/tags.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { openTestDatabase, type DialectName, type TestDatabase } from '../support/test-databases.js';

const CUSTOMERS = 20_000;
const OLD_TAG = 'legacy-2019' as Tag;
const COMMON_TAG = 'newsletter' as Tag;
const ABSENT_TAG = 'nobody-has-this' as Tag;

/** Records the operation node of every query the repository runs, so the test can EXPLAIN exactly that SQL. */
function recorder() {
  const nodes: RootOperationNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      nodes.push(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { nodes, plugin };
}

const dialects: DialectName[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * Issue 17: a list by a rare or absent tag at scale must not walk the created_at index backwards
 * (a rare tag held by old customers then reads nearly the whole table). Seeded here with a
 * quarter of the customers on a common tag and a rare tag held only by the oldest 1 %, the
 * repository's own list query is EXPLAINed — with a custom plan and with the generic plan a
 * prepared statement may switch to — and must walk the tag's keyset index instead.
 */
describe.each(dialects)('list by tag: the plan on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await sql`
      insert into customer_mgmt_customers (id, name, email, tags, created_at, updated_at)
      select gen_random_uuid(), 'Seeded ' || g, 'seeded.' || g || '@example.com',
             case when g <= ${CUSTOMERS / 100} then ${JSON.stringify([OLD_TAG])}::jsonb
                  when g % 4 = 0 then ${JSON.stringify([COMMON_TAG])}::jsonb
                  else '[]'::jsonb end,
             timestamptz '2024-01-01' + g * interval '1 minute', timestamptz '2024-01-01' + g * interval '1 minute'
      from generate_series(1, ${CUSTOMERS}) as g`.execute(database.db);
    await sql`analyze customer_mgmt_customers`.execute(database.db);
    await sql`analyze customer_mgmt_customer_tags`.execute(database.db);
  }, 120_000);
  afterAll(() => database.close());

  async function planOf(query: Partial<CustomerListQuery>, generic: boolean): Promise<{ plan: string; customers: number }> {
    const { nodes, plugin } = recorder();
    const repository = createCustomerRepository(database.db.withPlugin(plugin));
    const page = await repository.list({ sort: '-created_at', limit: 20, ...query });
    const compiled = database.db.getExecutor().compileQuery(nodes.at(-1)!, { queryId: 'explained' } as never);
    const explain = async (text: string) =>
      (await database.db.executeQuery<Record<string, string>>(CompiledQuery.raw(text, [...compiled.parameters]))).rows
        .map((row) => Object.values(row)[0])
        .join('\n');
    if (!generic) return { plan: await explain(`explain (analyze, costs off) ${compiled.sql}`), customers: page.customers.length };
    // A prepared statement of that SQL, planned once for any parameter values.
    await sql`set plan_cache_mode = force_generic_plan`.execute(database.db);
    try {
      return { plan: await explain(`explain (costs off) ${compiled.sql}`), customers: page.customers.length };
    } finally {
      await sql`reset plan_cache_mode`.execute(database.db);
    }
  }

  it.each([
    ['a rare tag held by the oldest customers', OLD_TAG, 20],
    ['an absent tag', ABSENT_TAG, 0],
    ['a common tag', COMMON_TAG, 20],
  ])('%s reads the tag index, not the created_at index backwards', async (_case, tag, expected) => {
    for (const generic of [false, true]) {
      const { plan, customers } = await planOf({ tagsAny: [tag] }, generic);
      expect(customers).toBe(expected);
      // The tag's own entries (in order, or all of a rare tag's few and sorted), never the table by date.
      expect(plan, plan).toMatch(/customer_mgmt_customer_tags_pkey/);
      // …and customers fetched by id for those entries only: not every holder of the tag read and hash-joined.
      expect(plan, plan).not.toMatch(
        /idx_customers_created|Seq Scan on customer_mgmt_customers|Bitmap Heap Scan on customer_mgmt_customers|Hash Join/,
      );
    }
  });

  it('reads only the page from the index for a common tag (not every customer holding it)', async () => {
    const { plan } = await planOf({ tagsAll: [COMMON_TAG] }, false);
    const tagScan = plan.split('\n').find((line) => line.includes('customer_mgmt_customer_tags_pkey'))!;
    // 21 rows: the page and the one that says another page follows.
    expect(tagScan, plan).toMatch(/rows=21(\.00)? loops=1/);
  });

  it('pages through a tag in creation order, as without the index', async () => {
    const repository = createCustomerRepository(database.db);
    const seen: string[] = [];
    let after: CustomerListQuery['after'];
    do {
      const page = await repository.list({ sort: '-created_at', limit: 50, tagsAny: [OLD_TAG], after });
      seen.push(...page.customers.map((customer) => customer.createdAt));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toHaveLength(CUSTOMERS / 100);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});
