import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, type ApiHarness } from '../support/api-harness.js';

const HOUR_MS = 3_600_000;

describe.each(availableDialects())('deal history and the deals of a customer or company on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  let now = Date.parse('2026-03-02T09:00:00.000Z');
  const REP = randomUUID();
  const rep = claimsFor(['sales_rep'], REP);
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, () => new Date(now));
    await api.registerSalesRep(REP);
  });
  afterAll(() => database.close());

  const later = (hours: number) => {
    now += hours * HOUR_MS;
  };
  const post = async (path: string, body: unknown, claims?: Record<string, string>) =>
    api.call({ method: 'POST', path: `${BASE}${path}`, body, ...(claims && { claims }) });
  const get = async (path: string, claims?: Record<string, string>) =>
    api.call({ method: 'GET', path: `${BASE}${path}`, ...(claims && { claims }) });
  const ids = (response: Awaited<ReturnType<typeof get>>) => response.body.data.map((item: { id: string }) => item.id);

  it('gives each stage the deal entered the time it stayed there, across pages and with a backdated close', async () => {
    const customerId = (await post('/customers', newCustomerBody())).body.data.id;
    const started = new Date(now).toISOString();
    const id = (await post('/deals', { name: 'Fleet', primary_customer_id: customerId })).body.data.id;
    later(2);
    await post(`/deals/${id}/stage`, { stage: 'proposal' });
    later(1);
    await api.call({ method: 'PUT', path: `${BASE}/deals/${id}/tags`, body: { tags: ['fleet'] } });
    later(3);
    await post(`/deals/${id}/stage`, { stage: 'needs_analysis' });
    later(10);
    // Won "an hour ago": the deal left needs_analysis then, not now.
    const closedAt = new Date(now - HOUR_MS).toISOString();
    await post(`/deals/${id}/win`, { closed_at: closedAt });
    later(5);

    const history = await get(`/deals/${id}/history`);
    expect(history.status).toBe(200);
    const hour = 3600;
    expect(history.body.data.map((item: { event_type: string; time_in_stage: unknown }) => [item.event_type, item.time_in_stage])).toEqual([
      ['DealCreated', { stage: 'qualification', entered_at: started, left_at: at(started, 2), seconds: 2 * hour }],
      ['DealStageChanged', { stage: 'proposal', entered_at: at(started, 2), left_at: at(started, 6), seconds: 4 * hour }],
      ['DealTagsChanged', null],
      ['DealStageChanged', { stage: 'needs_analysis', entered_at: at(started, 6), left_at: closedAt, seconds: 9 * hour }],
      // Still won: its time runs until now (closed 1 h before the win was recorded, 5 h ago).
      ['DealWon', { stage: 'won', entered_at: closedAt, left_at: null, seconds: 6 * hour }],
    ]);
    expect(history.body.data[4].data.seconds_in_previous_stage).toBe(9 * hour);

    // Paging one event at a time gives the same times: each is computed from the whole stream.
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(`/deals/${id}/history?limit=2${cursor ? `&after=${cursor}` : ''}`);
      paged.push(...page.body.data);
      cursor = page.body.pagination.next_cursor;
    } while (cursor);
    expect(paged).toEqual(history.body.data);
  });

  it('answers 404 for a missing deal, a deal of another rep, and 400 for an after of another deal', async () => {
    const customerId = (await post('/customers', newCustomerBody())).body.data.id;
    const one = (await post('/deals', { name: 'One', primary_customer_id: customerId })).body.data.id;
    const other = (await post('/deals', { name: 'Other', primary_customer_id: customerId })).body.data.id;
    expect((await get(`/deals/${randomUUID()}/history`)).body.error.code).toBe('DEAL.NOT_FOUND');
    expect((await get(`/deals/${one}/history`, rep)).body.error.code).toBe('DEAL.NOT_FOUND');
    const otherEvent = (await get(`/deals/${other}/history`)).body.data[0].event_id;
    const refused = await get(`/deals/${one}/history?after=${otherEvent}`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.fields[0].field).toBe('after');
  });

  it('lists the deals of a customer (primary or contact) and of a company, with the list filters, paged', async () => {
    const companyId = (await post('/companies', { name: `Acme ${randomUUID().slice(0, 6)}` })).body.data.id;
    const ada = (await post('/customers', newCustomerBody({ company_id: companyId }))).body.data.id;
    const bob = (await post('/customers', newCustomerBody())).body.data.id;
    const primary = (await post('/deals', { name: 'Primary', primary_customer_id: ada, company_id: companyId })).body.data.id;
    const asContact = (
      await post('/deals', { name: 'Contact', primary_customer_id: bob, contacts: [{ customer_id: ada, role: 'champion' }] })
    ).body.data.id;
    const bobs = (await post('/deals', { name: 'Bob only', primary_customer_id: bob })).body.data.id;
    await post(`/deals/${primary}/win`, {});

    expect(ids(await get(`/customers/${ada}/deals`)).sort()).toEqual([primary, asContact].sort());
    expect(ids(await get(`/customers/${ada}/deals?status=open`))).toEqual([asContact]);
    expect(ids(await get(`/customers/${bob}/deals?limit=1`))).toHaveLength(1);
    const first = await get(`/customers/${bob}/deals?limit=1`);
    const second = await get(`/customers/${bob}/deals?limit=1&cursor=${first.body.pagination.next_cursor}`);
    expect([...ids(first), ...ids(second)].sort()).toEqual([asContact, bobs].sort());
    expect(second.body.pagination.next_cursor).toBeNull();
    expect(ids(await get(`/companies/${companyId}/deals`))).toEqual([primary]);

    expect((await get(`/customers/${randomUUID()}/deals`)).body.error.code).toBe('CUSTOMER.NOT_FOUND');
    expect((await get(`/companies/${randomUUID()}/deals`)).body.error.code).toBe('COMPANY.NOT_FOUND');
    // The customer_id filter is the path's: the deal list's own parameter is refused here.
    expect((await get(`/customers/${ada}/deals?customer_id=${bob}`)).status).toBe(400);
  });

  it('shows a sales rep only their own deals of the customers and companies they see', async () => {
    const companyId = (await post('/companies', { name: `Rep Co ${randomUUID().slice(0, 6)}`, owner_id: REP })).body.data.id;
    const mine = (await post('/customers', newCustomerBody({ company_id: companyId }), rep)).body.data.id;
    const ownDeal = (await post('/deals', { name: 'Mine', primary_customer_id: mine }, rep)).body.data.id;
    await post('/deals', { name: 'Manager’s', primary_customer_id: mine, company_id: companyId });
    expect(ids(await get(`/customers/${mine}/deals`, rep))).toEqual([ownDeal]);
    expect(ids(await get(`/companies/${companyId}/deals`, rep))).toEqual([]);
    const stranger = (await post('/customers', newCustomerBody())).body.data.id;
    expect((await get(`/customers/${stranger}/deals`, rep)).body.error.code).toBe('CUSTOMER.NOT_FOUND');
  });
});

function at(start: string, hours: number): string {
  return new Date(Date.parse(start) + hours * HOUR_MS).toISOString();
}
