import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const EXISTING = 45;

/**
 * A keyset walk is what export will stream: while customers are created, renamed, retagged and
 * deleted around it, a walk in creation order (an immutable key) returns every customer that was
 * there throughout exactly once — none skipped, none twice — and the writes all land.
 */
describe.each(availableDialects())('a search walk under concurrent writes on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const existing: string[] = [];
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    for (let n = 0; n < EXISTING; n++) {
      existing.push(
        (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ tags: ['walk'] }) })).body.data.id,
      );
    }
  }, 120_000);
  afterAll(() => database.close());

  it('returns every customer present throughout exactly once, in order, while others change', async () => {
    const deleted = new Set(existing.filter((_, index) => index % 9 === 4));
    const walk = async () => {
      const seen: { id: string; created_at: string }[] = [];
      let after: string | null = null;
      do {
        const page: any = await api.call({
          method: 'POST',
          path: `${BASE}/customers/search`,
          body: {
            filter_groups: [{ filters: [{ property: 'tags', operator: 'eq', value: 'walk' }] }],
            sorts: [{ property: 'created_at', direction: 'asc' }],
            properties: ['created_at'],
            limit: 4,
            ...(after && { after }),
          },
        });
        expect(page.status).toBe(200);
        seen.push(...page.body.data);
        after = page.body.pagination.next_cursor;
      } while (after);
      return seen;
    };
    const writes = async () => {
      for (const [index, id] of existing.entries()) {
        if (deleted.has(id)) expect((await api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` })).status).toBe(204);
        else if (index % 3 === 0)
          expect((await api.call({ method: 'PUT', path: `${BASE}/customers/${id}`, body: { name: `Renamed ${index}` } })).status).toBe(200);
        else if (index % 3 === 1)
          expect(
            (await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: ['walk', `n${index}`] } })).status,
          ).toBe(200);
        else
          expect((await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody({ tags: ['walk'] }) })).status).toBe(
            201,
          );
      }
    };
    const [seen] = await Promise.all([walk(), writes(), walk().then(() => undefined)]);
    const ids = seen.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of existing) if (!deleted.has(id)) expect(ids).toContain(id);
    const times = seen.map((item) => item.created_at);
    expect(times).toEqual([...times].sort());
    // Afterwards the search answers exactly the live tagged customers.
    const after = await api.call({
      method: 'POST',
      path: `${BASE}/customers/search`,
      body: { filter_groups: [{ filters: [{ property: 'tags', operator: 'eq', value: 'walk' }] }], count: true, limit: 1 },
    });
    expect(after.body.pagination.total).toBe(
      EXISTING - deleted.size + existing.filter((_, index) => index % 3 === 2 && !deleted.has(existing[index]!)).length,
    );
  }, 120_000);
});
