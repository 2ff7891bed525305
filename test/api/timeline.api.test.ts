import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

type Item = { kind: string; id: string; occurred_at: string; summary: string };

describe.each(availableDialects())('the customer timeline on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: ReturnType<typeof createEventConsumer>;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    // A fixed clock puts the customer's own events at known times among interactions and orders.
    let now = Date.parse('2025-06-01T12:00:00.000Z');
    api = createApiHarness(database.db, () => new Date((now += 60_000)));
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const order = (customerId: string, placedAt: string, total = 4999) =>
    consume({
      id: randomUUID(),
      source: 'order-management',
      'detail-type': 'OrderPlaced',
      detail: { order_id: randomUUID(), customer_id: customerId, total_minor: total, currency: 'EUR', placed_at: placedAt },
    });
  const note = (customerId: string, at: string, subject = 'Note') =>
    api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: { type: 'note', occurred_at: at, subject, links: { customer_ids: [customerId] } },
    });

  async function pageAll(path: string, limit: number, between?: (page: number) => Promise<void>): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const response: any = await api.call({
        method: 'GET',
        path: `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(response.status).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(limit);
      items.push(...response.body.data);
      cursor = response.body.pagination.next_cursor;
      await between?.(page++);
    } while (cursor);
    return items;
  }

  it('merges the customer’s events, its interactions and its orders, newest first, each with one summary line', async () => {
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    await api.call({ method: 'POST', path: `${BASE}/customers/${id}/qualify` });
    await api.call({
      method: 'POST',
      path: `${BASE}/interactions`,
      body: {
        type: 'call',
        occurred_at: '2025-06-01T11:30:00Z',
        direction: 'outbound',
        outcome: 'connected',
        duration_s: 720,
        links: { customer_ids: [id] },
      },
    });
    await order(id, '2025-06-01T11:45:00.000Z');
    const { body } = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline` });
    expect(body.data.map((item: Item) => [item.kind, item.occurred_at, item.summary])).toEqual([
      ['lifecycle', expect.any(String), 'Lead → Prospect'],
      ['lifecycle', expect.any(String), 'Created as lead'],
      ['order', '2025-06-01T11:45:00.000Z', 'Order placed · 49.99 EUR'],
      ['interaction', '2025-06-01T11:30:00.000Z', 'Outbound call · connected · 12 min'],
    ]);
    expect(body.data[3]).toMatchObject({
      type: 'call',
      direction: 'outbound',
      outcome: 'connected',
      duration_s: 720,
      actor: expect.any(String),
    });
    expect(body.data[0]).toMatchObject({
      event_type: 'CustomerQualified',
      customer_version: 2,
      data: { changes: { status: { from: 'lead', to: 'prospect' } } },
    });
    expect(body.data[2]).toMatchObject({ state: 'placed', total_minor: 4999, currency: 'EUR', actor: null });
    expect(body.pagination).toEqual({ limit: 20, next_cursor: null });

    const onlyOrders = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline?kinds=order,interaction` });
    expect(onlyOrders.body.data.map((item: Item) => item.kind)).toEqual(['order', 'interaction']);
    const window = await api.call({
      method: 'GET',
      path: `${BASE}/customers/${id}/timeline?from=2025-06-01T11:30:00Z&to=2025-06-01T11:45:00Z`,
    });
    expect(window.body.data.map((item: Item) => item.kind)).toEqual(['interaction']);
    const unknownKind = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline?kinds=order,fax` });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body.error.details.fields[0].field).toBe('kinds');
  });

  it('items sharing a timestamp across kinds page through in one order, each once', async () => {
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    const at = '2025-03-01T00:00:00.000Z';
    for (let n = 0; n < 5; n++) {
      await note(id, at, `same time ${n}`);
      await order(id, at, 100 + n);
    }
    const items = await pageAll(`${BASE}/customers/${id}/timeline`, 3);
    expect(items).toHaveLength(11);
    expect(new Set(items.map((item) => item.id)).size).toBe(11);
    expect(items.slice(1).map((item) => item.kind)).toEqual([...Array(5).fill('interaction'), ...Array(5).fill('order')]);
  });

  it('pages stay complete and non-overlapping while new items arrive (newer and older than the page being read)', async () => {
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    const start = Date.parse('2025-01-01T00:00:00.000Z');
    for (let n = 0; n < 30; n++) {
      const at = new Date(start + n * 3_600_000).toISOString();
      await (n % 2 === 0 ? note(id, at, `n${n}`) : order(id, at));
    }
    const before = await pageAll(`${BASE}/customers/${id}/timeline`, 100);
    let arrivals = 0;
    const paged = await pageAll(`${BASE}/customers/${id}/timeline`, 4, async (page) => {
      // Between pages: one item newer than everything, one older than everything, one in the middle.
      await note(id, new Date(start + 100 * 3_600_000 + page * 1000).toISOString(), `new ${page}`);
      await order(id, new Date(start - 3_600_000 - page * 1000).toISOString());
      await note(id, new Date(start + 15 * 3_600_000 + 1 + page).toISOString(), `middle ${page}`);
      arrivals += 3;
    });
    expect(arrivals).toBeGreaterThan(0);
    const ids = paged.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of before) expect(ids, `${item.kind} at ${item.occurred_at}`).toContain(item.id);
    const keys = paged.map((item) => item.occurred_at);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('a missing, deleted or another rep’s customer is 404; a forged cursor is 400', async () => {
    const rep = randomUUID();
    await api.registerSalesRep(rep);
    const { id } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    expect(
      (await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline`, claims: claimsFor(['sales_rep'], rep) })).status,
    ).toBe(404);
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${randomUUID()}/timeline` })).status).toBe(404);
    await api.call({ method: 'DELETE', path: `${BASE}/customers/${id}` });
    const deleted = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/timeline` });
    expect(deleted.status).toBe(404);
    expect(deleted.body.error.code).toBe('CUSTOMER.NOT_FOUND');
    const forged = Buffer.from(JSON.stringify({ t: 'yesterday', r: 1, i: randomUUID() })).toString('base64url');
    const { id: other } = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data;
    expect((await api.call({ method: 'GET', path: `${BASE}/customers/${other}/timeline?cursor=${forged}` })).status).toBe(400);
  });
});
