import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type RootOperationNode } from 'kysely';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import type { CustomerListQuery } from '../../domain/customer/customer-repository.js';
import type { Tag } from '../../domain/shared/tags.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';
import { aCompany } from '../support/company-fixtures.js';

let COMPANY: string;
const REP = randomUUID();

describe.each(availableDialects())('listing customers on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const ids: Record<string, string> = {};

  async function create(name: string, extra: Record<string, unknown> = {}) {
    const response = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name, email: `${name.toLowerCase().replace(/\s/g, '.')}@example.com`, ...extra },
    });
    expect(response.status).toBe(201);
    ids[name] = response.body.data.id;
    return response.body.data.id as string;
  }

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2025-01-01T00:00:00.000Z'));
    await api.registerSalesRep(REP);
    COMPANY = await aCompany(database.db);
    await create('Alice Archer', { tier: 'pro', tags: ['vip', 'newsletter'], source: 'website' });
    await create('Bob Baker', { tier: 'basic', tags: ['newsletter'], company_id: COMPANY, source: 'referral' });
    await create('Carol Cook', { tier: 'pro', tags: ['vip', 'high-value'], assigned_to: REP, source: 'event' });
    await create('Dan 100% Real_Name', { tags: ['support'] });
    await create('Eve Evans', { tier: 'enterprise', company_id: COMPANY, assigned_to: REP });
    await api.call({ method: 'POST', path: `${BASE}/customers/${ids['Carol Cook']}/qualify` });
  });
  afterAll(() => database.close());

  const names = async (query: string) => {
    const response = await api.call({ method: 'GET', path: `${BASE}/customers?${query}` });
    expect(response.status, query).toBe(200);
    return response.body.data.map((customer: { name: string }) => customer.name);
  };

  it('sorts newest first by default and by name on request', async () => {
    expect(await names('')).toEqual(['Eve Evans', 'Dan 100% Real_Name', 'Carol Cook', 'Bob Baker', 'Alice Archer']);
    expect(await names('sort=created_at')).toEqual(['Alice Archer', 'Bob Baker', 'Carol Cook', 'Dan 100% Real_Name', 'Eve Evans']);
    expect(await names('sort=-name')).toEqual(['Eve Evans', 'Dan 100% Real_Name', 'Carol Cook', 'Bob Baker', 'Alice Archer']);
  });

  it('filters by each field and combines filters', async () => {
    expect(await names('status=prospect')).toEqual(['Carol Cook']);
    expect(await names('tier=pro&sort=name')).toEqual(['Alice Archer', 'Carol Cook']);
    expect(await names('source=referral')).toEqual(['Bob Baker']);
    expect(await names(`assigned_to=${REP}&sort=name`)).toEqual(['Carol Cook', 'Eve Evans']);
    expect(await names(`company_id=${COMPANY}&tier=enterprise`)).toEqual(['Eve Evans']);
    expect(await names('tag=vip&sort=name')).toEqual(['Alice Archer', 'Carol Cook']);
    expect(await names('tag=support&tag=high-value&sort=name')).toEqual(['Carol Cook', 'Dan 100% Real_Name']);
    expect(await names('tags_all=vip,newsletter')).toEqual(['Alice Archer']);
    expect(await names('tag=VIP&tier=pro&status=lead')).toEqual(['Alice Archer']);
    expect(await names('q=BAKER')).toEqual(['Bob Baker']);
    expect(await names('q=evans%40example')).toEqual(['Eve Evans']);
    // LIKE wildcards in q are taken literally
    expect(await names('q=100%25')).toEqual(['Dan 100% Real_Name']);
    expect(await names('q=_')).toEqual(['Dan 100% Real_Name']);
    expect(await names('created_from=2025-01-01T00:00:01Z&created_to=2025-01-01T00:00:03Z&sort=created_at')).toEqual([
      'Bob Baker',
      'Carol Cook',
    ]);
  });

  it('pages with an opaque cursor, visiting every customer once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await api.call({ method: 'GET', path: `${BASE}/customers?limit=2&sort=name${cursor ? `&cursor=${cursor}` : ''}` });
      expect(response.body.pagination.limit).toBe(2);
      seen.push(...response.body.data.map((customer: { name: string }) => customer.name));
      cursor = response.body.pagination.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['Alice Archer', 'Bob Baker', 'Carol Cook', 'Dan 100% Real_Name', 'Eve Evans']);
  });

  it('keeps paging exact while customers are being created', async () => {
    const first = await api.call({ method: 'GET', path: `${BASE}/customers?limit=2` });
    const seen = first.body.data.map((customer: { id: string }) => customer.id);
    let cursor = first.body.pagination.next_cursor;
    await create('Zed Newcomer');
    while (cursor) {
      const page = await api.call({ method: 'GET', path: `${BASE}/customers?limit=2&cursor=${cursor}` });
      seen.push(...page.body.data.map((customer: { id: string }) => customer.id));
      cursor = page.body.pagination.next_cursor;
      await create(`Late ${seen.length}`);
    }
    expect(seen).toEqual([ids['Eve Evans'], ids['Dan 100% Real_Name'], ids['Carol Cook'], ids['Bob Baker'], ids['Alice Archer']]);
  });

  it('rejects a cursor that was tampered with or issued for another sort', async () => {
    const page = await api.call({ method: 'GET', path: `${BASE}/customers?limit=1` });
    const cursor = page.body.pagination.next_cursor;
    const otherSort = await api.call({ method: 'GET', path: `${BASE}/customers?limit=1&sort=name&cursor=${cursor}` });
    expect(otherSort.status).toBe(400);
    expect(otherSort.body.error.details.fields[0]).toEqual({
      field: 'cursor',
      message: 'it was issued for sort=-created_at; repeat the same sort to continue',
    });
    const garbage = await api.call({ method: 'GET', path: `${BASE}/customers?cursor=not-a-cursor` });
    expect(garbage.status).toBe(400);
  });

  it('answers tag filters from the GIN index on a table of realistic size', async () => {
    await sql`insert into customer_mgmt_customers (id, name, email, tags, created_at, updated_at)
      select gen_random_uuid(), 'Bulk ' || n, 'bulk' || n || '@example.com',
             jsonb_build_array('segment-' || (n % 1000), 'cohort-' || (n % 7)), now(), now()
      from generate_series(1, 10000) as n`.execute(database.db);
    // VACUUM flushes GIN's pending list, as autovacuum does on a live table; until then the
    // planner prices the index scan as if it had to read the unsorted pending entries.
    await sql`vacuum analyze customer_mgmt_customers`.execute(database.db);
    const planOf = async (query: CustomerListQuery) => {
      // Record the statement the repository really sends, then EXPLAIN it with its parameters.
      const captured: RootOperationNode[] = [];
      const recording = database.db.withPlugin({
        transformQuery: ({ node }) => (captured.push(node), node),
        transformResult: async ({ result }) => result,
      });
      await createCustomerRepository(recording).list(query);
      const compiled = database.db.getExecutor().compileQuery(captured[0]!, { queryId: 'explain' });
      const explained = await database.db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
      );
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const base = { sort: '-created_at', limit: 20 } as const;
    expect(await planOf({ ...base, tagsAny: ['segment-3', 'segment-4'] as Tag[] })).toContain('Bitmap Index Scan on idx_customers_tags');
    expect(await planOf({ ...base, tagsAll: ['segment-3', 'cohort-3'] as Tag[] })).toContain('Bitmap Index Scan on idx_customers_tags');
  });
});
