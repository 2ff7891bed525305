import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../functions/http/query-parameters.js';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { fullPath } from '../../functions/http/route.js';
import { routes } from '../../functions/routes.js';
import { BASE, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';
import { createSampleRecords, samplePath } from '../support/sample-records.js';
import { objectShape } from '../support/schema-sites.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';

const MiB = 1024 * 1024;
const HISTORY_LENGTH = 300;
const ORDERS = 230;

/** Fifty tags of fifty characters: a tag change records the whole set before and after (about 5 KB). */
const bigTagSet = (round: number) =>
  Array.from({ length: 50 }, (_, index) => `r${round % 2}-${String(index).padStart(2, '0')}-${'t'.repeat(44)}`);

/** Follows `next_cursor` as `after` until the end; returns every item and every page's size in bytes. */
async function pageThrough(api: ApiHarness, path: string, limit: number) {
  const items: any[] = [];
  const pageBytes: number[] = [];
  let after: string | null = null;
  do {
    const response = await api.call({ method: 'GET', path: `${path}?limit=${limit}${after ? `&after=${after}` : ''}` });
    expect(response.status, `${path} after ${after}`).toBe(200);
    expect(response.body.pagination.limit).toBe(limit);
    expect(response.body.data.length).toBeLessThanOrEqual(limit);
    items.push(...response.body.data);
    pageBytes.push(Buffer.byteLength(response.raw.body as string));
    after = response.body.pagination.next_cursor;
  } while (after);
  return { items, pageBytes };
}

describe.each(availableDialects())('every list is a keyset page on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let customer: { id: string; email: string };
  let runId: string;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db);
    customer = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    runId = (await api.call({ method: 'POST', path: `${BASE}/analytics/runs` })).body.data.id;
    await api.services.analytics.idle();
    for (let round = 0; round < 3; round++) {
      await api.call({ method: 'PUT', path: `${BASE}/customers/${customer.id}/tags`, body: { tags: [`round-${round}`] } });
    }
  });
  afterAll(() => database.close());

  it('audit, generated from the route table: a GET that answers a list, or a read POST (search), takes limit (1-100) and answers pagination', async () => {
    const lists = [];
    const records = await createSampleRecords(api);
    // Routes whose `{id}` is not a record of the path's first segment, and the query parameters some routes require.
    const otherIds: Record<string, string> = { '/analytics/runs/{id}': runId, '/analytics/models/{id}': runId };
    const requiredQuery: Record<string, string> = {
      '/analytics/rfm/segments': '?currency=USD',
      '/analytics/customers': '?currency=USD',
      '/reports/cohorts': '?currency=USD',
    };
    for (const route of routes.filter((candidate) => candidate.method === 'GET' && !candidate.public)) {
      const other = otherIds[route.path];
      const base = other ? fullPath(route).replace('{id}', other) : samplePath(route, records);
      const query = requiredQuery[route.path];
      const path = query ? `${base}${query}` : base;
      const response = await api.call({ method: 'GET', path });
      // A read of something that does not exist yet (no fitted model in an empty database) answers its documented 404.
      if (response.status === 404 && route.errors?.includes(response.body.error.code)) continue;
      expect(response.status, path).toBe(200);
      if (!Array.isArray(response.body.data)) continue;
      lists.push(route.path);
      expect(Object.keys(objectShape(route.query)), `${route.path} takes limit`).toContain('limit');
      expect(response.body.pagination, route.path).toEqual({
        limit: 20,
        next_cursor: expect.toSatisfy((value) => value === null || typeof value === 'string'),
      });
      const join = query ? '&' : '?';
      expect((await api.call({ method: 'GET', path: `${path}${join}limit=${MAX_PAGE_SIZE + 1}` })).status, route.path).toBe(400);
      const one = await api.call({ method: 'GET', path: `${path}${join}limit=1` });
      expect(one.body.data.length, route.path).toBeLessThanOrEqual(1);
    }
    // A read that takes its query in a POST body (a search) is a list too: limit and after travel in the body.
    // A batch read is not a list: it names its 1-100 records, so its answer is bounded by its input (asserted below).
    const isBatchRead = (path: string) => path.endsWith('/batch/read');
    // A read POST whose body needs a value besides the page (a duplicate search needs something to compare).
    const requiredBody: Record<string, Record<string, unknown>> = { '/customers/duplicates/search': { name: 'Ada Lovelace' } };
    for (const route of routes.filter(
      (candidate) => candidate.method === 'POST' && candidate.group === 'api-read' && !isBatchRead(candidate.path),
    )) {
      const path = samplePath(route, records);
      const needed = requiredBody[route.path] ?? {};
      const response = await api.call({ method: 'POST', path, body: needed });
      expect(response.status, path).toBe(200);
      lists.push(route.path);
      expect(Object.keys(objectShape(route.body?.schema)), `${route.path} takes limit and after`).toEqual(
        expect.arrayContaining(['limit', 'after']),
      );
      expect(response.body.pagination, route.path).toEqual({
        limit: 20,
        next_cursor: expect.toSatisfy((value) => value === null || typeof value === 'string'),
      });
      expect((await api.call({ method: 'POST', path, body: { ...needed, limit: MAX_PAGE_SIZE + 1 } })).status, route.path).toBe(400);
      const one = await api.call({ method: 'POST', path, body: { ...needed, limit: 1 } });
      expect(one.body.data.length, route.path).toBeLessThanOrEqual(1);
      // …and the cursor of a full page leads to the next record, never the same one again.
      if (one.body.pagination.next_cursor) {
        const next = await api.call({ method: 'POST', path, body: { ...needed, limit: 1, after: one.body.pagination.next_cursor } });
        // Items without an id of their own (a duplicate candidate holds the record it names) compare whole.
        const identity = (item: any) => item?.id ?? JSON.stringify(item);
        expect(identity(next.body.data[0]), route.path).not.toBe(identity(one.body.data[0]));
      }
    }
    for (const route of routes.filter((candidate) => isBatchRead(candidate.path))) {
      const path = fullPath(route);
      const ids = (count: number) => Array.from({ length: count }, () => ({ id: randomUUID() }));
      expect((await api.call({ method: 'POST', path, body: { inputs: ids(MAX_PAGE_SIZE + 1) } })).status, route.path).toBe(400);
      const answer = await api.call({ method: 'POST', path, body: { inputs: ids(MAX_PAGE_SIZE) } });
      expect(answer.body.data.results, route.path).toHaveLength(MAX_PAGE_SIZE);
    }
    expect(lists).toEqual(
      expect.arrayContaining([
        '/customers/search',
        '/deals/search',
        '/customers/duplicates/search',
        '/customers/{id}/duplicates',
        '/companies/{id}/duplicates',
        '/customers',
        '/customers/{id}/history',
        '/customers/{id}/purchases',
        '/events',
        '/companies',
        '/companies/{id}/contacts',
        '/customers/{id}/timeline',
        '/interactions',
        '/customers/{id}/insights',
        '/analytics/customers',
        '/reports/cohorts',
      ]),
    );
  });

  it(`a history of ${HISTORY_LENGTH} large events (over 1 MiB in all) pages through, oldest first, gapless`, async () => {
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    for (let round = 1; round < HISTORY_LENGTH; round++) {
      const response = await api.call({ method: 'PUT', path: `${BASE}/customers/${id}/tags`, body: { tags: bigTagSet(round) } });
      expect(response.status).toBe(200);
    }
    // A plain GET answers the first 20 (before pages existed, this was the whole history: a 500 through the Data API).
    const first = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history` });
    expect(first.status).toBe(200);
    expect(first.body.data.map((event: { customer_version: number }) => event.customer_version)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    expect(first.body.pagination).toEqual({ limit: 20, next_cursor: first.body.data[19].event_id });
    const { items, pageBytes } = await pageThrough(api, `${BASE}/customers/${id}/history`, 100);
    expect(items.map((event) => event.customer_version)).toEqual(Array.from({ length: HISTORY_LENGTH }, (_, index) => index + 1));
    expect(new Set(items.map((event) => event.event_id)).size).toBe(HISTORY_LENGTH);
    // One response could not carry it through the Data API (1 MiB per response); every page does.
    expect(pageBytes.reduce((sum, bytes) => sum + bytes, 0)).toBeGreaterThan(MiB);
    expect(Math.max(...pageBytes)).toBeLessThan(MiB);
  }, 120_000);

  it(`${ORDERS} orders page through newest first, each once`, async () => {
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    const consume = createEventConsumer(database.db);
    // Several orders share a placed_at, so the page key must be (placed_at, order_id).
    for (let n = 0; n < ORDERS; n++) {
      const placedAt = new Date(Date.UTC(2026, 0, 1 + Math.floor(n / 3))).toISOString();
      const detail = { order_id: randomUUID(), customer_id: id, total_minor: 100 + n, currency: 'EUR', placed_at: placedAt };
      expect(await consume({ id: randomUUID(), source: 'order-management', 'detail-type': 'OrderPlaced', detail })).toMatchObject({
        outcome: 'applied',
      });
    }
    const { items } = await pageThrough(api, `${BASE}/customers/${id}/purchases`, 100);
    expect(items).toHaveLength(ORDERS);
    expect(new Set(items.map((purchase) => purchase.order_id)).size).toBe(ORDERS);
    const keys = items.map((purchase) => `${purchase.placed_at}|${purchase.order_id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  }, 120_000);

  it('an after that names nothing of this customer is 400 naming after; another customer is still 404', async () => {
    const other = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    const othersEvent = (await api.call({ method: 'GET', path: `${BASE}/customers/${other.id}/history` })).body.data[0].event_id;
    for (const path of [
      `/customers/${customer.id}/history?after=${othersEvent}`,
      `/customers/${customer.id}/purchases?after=${randomUUID()}`,
    ]) {
      const response = await api.call({ method: 'GET', path: `${BASE}${path}` });
      expect(response.status, path).toBe(400);
      expect(response.body.error.details.fields, path).toEqual([
        { field: 'after', message: expect.stringContaining('belongs to this customer') },
      ]);
    }
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${randomUUID()}/history?after=${othersEvent}` })).status).toBe(404);
    const last = (await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}/history?limit=100` })).body.data.at(-1).event_id;
    const end = await api.call({ method: 'GET', path: `${BASE}/customers/${customer.id}/history?after=${last}` });
    expect(end.body).toMatchObject({ data: [], pagination: { limit: 20, next_cursor: null } });
  });
});
