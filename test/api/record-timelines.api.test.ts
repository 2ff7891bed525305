import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer } from '../../functions/integration/event-consumer.js';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

type Item = { kind: string; id: string; occurred_at: string; summary: string };

/** The company and deal timelines, and deal events on the customer timeline. */
describe.each(availableDialects())('company and deal timelines on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let consume: ReturnType<typeof createEventConsumer>;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    let now = Date.parse('2025-06-01T12:00:00.000Z');
    api = createApiHarness(database.db, () => new Date((now += 60_000)));
    consume = createEventConsumer(database.db);
  });
  afterAll(() => database.close());

  const create = async (path: string, body: Record<string, unknown>) => {
    const response = await api.call({ method: 'POST', path: `${BASE}/${path}`, body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data.id as string;
  };
  const order = (customerId: string, placedAt: string, total = 4999) =>
    consume({
      id: randomUUID(),
      source: 'order-management',
      'detail-type': 'OrderPlaced',
      detail: { order_id: randomUUID(), customer_id: customerId, total_minor: total, currency: 'EUR', placed_at: placedAt },
    });
  const note = (links: Record<string, unknown>, at: string, subject = 'Note') =>
    create('interactions', { type: 'note', occurred_at: at, subject, links });
  const lines = (items: Item[]) => items.map((item) => [item.kind, item.summary]);

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
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(limit);
      items.push(...response.body.data);
      cursor = response.body.pagination.next_cursor;
      await between?.(page++);
    } while (cursor);
    return items;
  }

  it('a company: its events, its deals’ events, its interactions and its contacts’ interactions and orders, each once', async () => {
    const companyId = await create('companies', { name: 'Acme Ltd' });
    const ada = await create('customers', newCustomerBody({ company_id: companyId }));
    const bob = await create('customers', newCustomerBody());
    const dealId = await create('deals', {
      name: 'Fleet renewal',
      company_id: companyId,
      primary_customer_id: ada,
      contacts: [{ customer_id: bob, role: 'champion' }],
    });
    await api.call({ method: 'POST', path: `${BASE}/deals/${dealId}/stage`, body: { stage: 'proposal' } });
    await note({ company_id: companyId }, '2025-06-01T11:00:00Z', 'On the company');
    await create('interactions', {
      type: 'call',
      occurred_at: '2025-06-01T10:00:00Z',
      direction: 'outbound',
      outcome: 'connected',
      duration_s: 720,
      links: { customer_ids: [ada] },
    });
    await note({ company_id: companyId, customer_ids: [ada] }, '2025-06-01T09:00:00Z', 'On both');
    await order(ada, '2025-06-01T08:00:00.000Z');
    await note({ deal_ids: [dealId] }, '2025-06-01T07:00:00Z', 'On the deal');
    const cy = await create('customers', newCustomerBody({ company_id: companyId }));
    await note({ customer_ids: [ada, cy] }, '2025-06-01T06:00:00Z', 'Two contacts');

    const company = await api.call({ method: 'GET', path: `${BASE}/companies/${companyId}/timeline` });
    expect(company.status).toBe(200);
    expect(lines(company.body.data)).toEqual([
      ['deal', 'Qualification → Proposal (10% → 50%)'],
      ['deal', 'Deal created · Fleet renewal · Qualification (10%)'],
      ['lifecycle', 'Company created'],
      ['interaction', 'Note · On the company'],
      ['interaction', 'Outbound call · connected · 12 min'],
      ['interaction', 'Note · On both'],
      ['order', 'Order placed · 49.99 EUR'],
      ['interaction', 'Note · Two contacts'],
    ]);
    expect(company.body.data[0]).toMatchObject({
      deal_id: dealId,
      event_type: 'DealStageChanged',
      deal_version: 2,
      data: { changes: { stage: { from: 'qualification', to: 'proposal' } }, probability: { from: 0.1, to: 0.5 } },
    });
    expect(company.body.data[2]).toMatchObject({ event_type: 'CompanyCreated', company_version: 1 });
    const own = await api.call({ method: 'GET', path: `${BASE}/companies/${companyId}/timeline?include_contacts=false` });
    expect(lines(own.body.data)).toEqual([
      ['deal', 'Qualification → Proposal (10% → 50%)'],
      ['deal', 'Deal created · Fleet renewal · Qualification (10%)'],
      ['lifecycle', 'Company created'],
      ['interaction', 'Note · On the company'],
      ['interaction', 'Note · On both'],
    ]);
    const onlyDeals = await api.call({ method: 'GET', path: `${BASE}/companies/${companyId}/timeline?kinds=deal&limit=1` });
    expect(onlyDeals.status, JSON.stringify(onlyDeals.body)).toBe(200);
    expect(lines(onlyDeals.body.data)).toEqual([['deal', 'Qualification → Proposal (10% → 50%)']]);
    expect(onlyDeals.body.pagination.next_cursor).not.toBeNull();

    const deal = await api.call({ method: 'GET', path: `${BASE}/deals/${dealId}/timeline` });
    expect(lines(deal.body.data)).toEqual([
      ['deal', 'Qualification → Proposal (10% → 50%)'],
      ['deal', 'Deal created · Fleet renewal · Qualification (10%)'],
      ['interaction', 'Note · On the deal'],
    ]);
    // The deal's primary customer and its contact both see its events.
    for (const customerId of [ada, bob]) {
      const customer = await api.call({ method: 'GET', path: `${BASE}/customers/${customerId}/timeline?kinds=deal` });
      expect(customer.status, JSON.stringify(customer.body)).toBe(200);
      expect(lines(customer.body.data), customerId).toEqual([
        ['deal', 'Qualification → Proposal (10% → 50%)'],
        ['deal', 'Deal created · Fleet renewal · Qualification (10%)'],
      ]);
    }
    const bad = await api.call({ method: 'GET', path: `${BASE}/companies/${companyId}/timeline?include_contacts=maybe` });
    expect(bad.status).toBe(400);
  });

  it('pages of the company and deal timelines stay complete and non-overlapping while new items arrive', async () => {
    const companyId = await create('companies', { name: 'Busy Ltd' });
    const contact = await create('customers', newCustomerBody({ company_id: companyId }));
    const dealId = await create('deals', { name: 'Busy deal', company_id: companyId });
    const start = Date.parse('2025-01-01T00:00:00.000Z');
    const at = (hours: number, extraMs = 0) => new Date(start + hours * 3_600_000 + extraMs).toISOString();
    for (let n = 0; n < 30; n++) {
      if (n % 3 === 0) await note({ company_id: companyId, deal_ids: [dealId] }, at(n), `c${n}`);
      else if (n % 3 === 1) await note({ customer_ids: [contact], deal_ids: [dealId] }, at(n), `p${n}`);
      else await order(contact, at(n));
    }
    for (const path of [`${BASE}/companies/${companyId}/timeline`, `${BASE}/deals/${dealId}/timeline`]) {
      const before = await pageAll(path, 100);
      expect(before.length).toBeGreaterThan(20);
      const paged = await pageAll(path, 4, async (page) => {
        // Between pages: one item newer than everything, one older than everything, one in the middle.
        await note({ company_id: companyId, deal_ids: [dealId] }, at(100, page * 1000), `new ${page}`);
        await note({ customer_ids: [contact], deal_ids: [dealId] }, at(-1, -page * 1000), `old ${page}`);
        await order(contact, at(15, 1 + page));
      });
      const ids = paged.map((item) => item.id);
      expect(new Set(ids).size, path).toBe(ids.length);
      for (const item of before) expect(ids, `${path}: ${item.kind} at ${item.occurred_at}`).toContain(item.id);
      const keys = paged.map((item) => item.occurred_at);
      expect(keys).toEqual([...keys].sort().reverse());
    }
  });

  it('a missing, deleted or invisible company or deal is 404; a sales rep sees only their own deals’ events', async () => {
    const rep = randomUUID();
    await api.registerSalesRep(rep);
    const asRep = claimsFor(['sales_rep'], rep);
    const companyId = await create('companies', { name: 'Theirs Ltd' });
    const customer = await create('customers', newCustomerBody({ assigned_to: rep }));
    const mine = await create('deals', { name: 'Mine', primary_customer_id: customer, owner_id: rep });
    const others = await create('deals', { name: 'Others', primary_customer_id: customer });

    const get = (path: string, claims?: Record<string, string>) =>
      api.call({ method: 'GET', path: `${BASE}/${path}`, ...(claims && { claims }) });
    expect((await get(`companies/${companyId}/timeline`, asRep)).body.error.code).toBe('COMPANY.NOT_FOUND');
    expect((await get(`deals/${others}/timeline`, asRep)).body.error.code).toBe('DEAL.NOT_FOUND');
    expect((await get(`deals/${mine}/timeline`, asRep)).status).toBe(200);
    const seen = await get(`customers/${customer}/timeline?kinds=deal`, asRep);
    expect(seen.body.data.map((item: { deal_id: string }) => item.deal_id)).toEqual([mine]);
    expect((await get(`customers/${customer}/timeline?kinds=deal`)).body.data).toHaveLength(2);

    expect((await get(`deals/${randomUUID()}/timeline`)).status).toBe(404);
    expect((await get(`companies/${randomUUID()}/timeline`)).status).toBe(404);
    await api.call({ method: 'DELETE', path: `${BASE}/deals/${others}` });
    expect((await get(`deals/${others}/timeline`)).body.error.code).toBe('DEAL.NOT_FOUND');
    // A deleted deal's events leave the customer's timeline with it.
    expect((await get(`customers/${customer}/timeline?kinds=deal`)).body.data).toHaveLength(1);
  });

  it('a sales rep sees, on a company timeline, the interactions and orders of the contacts assigned to them only', async () => {
    const rep = randomUUID();
    await api.registerSalesRep(rep);
    const asRep = claimsFor(['sales_rep'], rep);
    const companyId = await create('companies', { name: 'Shared Ltd' });
    // Created first, the other rep's contact has the smaller id (UUID v7): a note with both contacts is
    // shown through the first contact by id, which for this rep must be the one they see.
    const theirs = await create('customers', newCustomerBody({ company_id: companyId }));
    const mine = await create('customers', newCustomerBody({ company_id: companyId, assigned_to: rep }));
    const both = await note({ customer_ids: [mine, theirs] }, '2025-05-30T09:00:00.000Z', 'Both');
    const onlyTheirs = await note({ customer_ids: [theirs] }, '2025-05-30T10:00:00.000Z', 'Theirs');
    const onlyMine = await note({ customer_ids: [mine] }, '2025-05-30T11:00:00.000Z', 'Mine');
    await order(theirs, '2025-05-30T12:00:00.000Z');
    await order(mine, '2025-05-30T13:00:00.000Z', 1500);

    const timeline = async (claims?: Record<string, string>) =>
      (
        await api.call({
          method: 'GET',
          path: `${BASE}/companies/${companyId}/timeline?kinds=interaction,order&limit=100`,
          ...(claims && { claims }),
        })
      ).body.data as (Item & { customer_id?: string })[];
    const asManager = await timeline();
    expect(asManager.filter((item) => item.kind === 'interaction').map((item) => item.id)).toEqual([onlyMine, onlyTheirs, both]);
    expect(asManager.filter((item) => item.kind === 'order')).toHaveLength(2);

    const seenByRep = await timeline(asRep);
    expect(seenByRep.filter((item) => item.kind === 'interaction').map((item) => item.id)).toEqual([onlyMine, both]);
    expect(seenByRep.filter((item) => item.kind === 'order')).toHaveLength(1);
    expect(seenByRep.find((item) => item.kind === 'order')!.summary).toContain('15.00 EUR');
  });
});
