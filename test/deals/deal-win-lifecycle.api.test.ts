import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { BASE, claimsFor, createApiHarness, newCustomerBody, steppingClock, type ApiHarness } from '../support/api-harness.js';

/**
 * A won deal moves its primary customer on to `customer` in the same transaction as the win, as a
 * completed order does: a lead through qualify and convert, a prospect through convert, a churned
 * customer through reactivate and convert — each step its own Customer event, by the caller.
 */
describe.each(availableDialects())('winning a deal moves its customer on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  const MANAGER = randomUUID();
  const manager = claimsFor(['manager'], MANAGER);
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2026-03-01T09:00:00.000Z'));
  });
  afterAll(() => database.close());

  const newCustomer = async (...commands: string[]) => {
    const id = (await api.call({ method: 'POST', path: `${BASE}/customers`, body: newCustomerBody() })).body.data.id as string;
    for (const command of commands) {
      const body = command === 'churn' ? { reason: 'price' } : undefined;
      expect((await api.call({ method: 'POST', path: `${BASE}/customers/${id}/${command}`, body })).status).toBe(200);
    }
    return id;
  };
  const newDeal = async (primaryCustomerId: string) => {
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/deals`,
      body: { name: 'Won deal', primary_customer_id: primaryCustomerId },
    });
    expect(created.status).toBe(201);
    return created.body.data.id as string;
  };
  const win = (dealId: string) => api.call({ method: 'POST', path: `${BASE}/deals/${dealId}/win`, claims: manager });
  const customer = async (id: string) => (await api.call({ method: 'GET', path: `${BASE}/customers/${id}` })).body.data;
  const events = async (type: string, id: string) =>
    (await api.call({ method: 'GET', path: `${BASE}/events?aggregate_type=${type}&aggregate_id=${id}&limit=100` })).body.data as {
      event_type: string;
      actor: string;
      customer_version?: number;
      data: Record<string, any>;
    }[];

  it('a lead: qualified then converted, two Customer events by the caller, with the DealWon', async () => {
    const lead = await newCustomer();
    const deal = await newDeal(lead);
    const won = await win(deal);
    expect(won.status).toBe(200);
    expect(won.body.data).toMatchObject({ status: 'won', version: 2 });
    expect(await customer(lead)).toMatchObject({ status: 'customer', version: 3 });
    const moves = (await events('customer', lead)).slice(1);
    expect(
      moves.map(({ event_type, actor, customer_version, data }) => ({ event_type, actor, customer_version, status: data.changes.status })),
    ).toEqual([
      { event_type: 'CustomerQualified', actor: MANAGER, customer_version: 2, status: { from: 'lead', to: 'prospect' } },
      { event_type: 'CustomerConverted', actor: MANAGER, customer_version: 3, status: { from: 'prospect', to: 'customer' } },
    ]);
    const dealEvents = await events('deal', deal);
    expect(dealEvents.map(({ event_type, actor }) => [event_type, actor])).toEqual([
      ['DealCreated', expect.any(String)],
      ['DealWon', MANAGER],
    ]);
  });

  it('a prospect: converted only', async () => {
    const prospect = await newCustomer('qualify');
    expect((await win(await newDeal(prospect))).status).toBe(200);
    expect(await customer(prospect)).toMatchObject({ status: 'customer', version: 3 });
    expect((await events('customer', prospect)).map((event) => [event.event_type, event.actor])).toEqual([
      ['CustomerCreated', expect.any(String)],
      ['CustomerQualified', expect.any(String)],
      ['CustomerConverted', MANAGER],
    ]);
  });

  it('a churned customer: reactivated then converted', async () => {
    const churned = await newCustomer('qualify', 'convert', 'churn');
    expect((await win(await newDeal(churned))).status).toBe(200);
    const after = await customer(churned);
    expect(after).toMatchObject({ status: 'customer', version: 6, churned_at: null });
    expect((await events('customer', churned)).slice(4).map((event) => [event.event_type, event.customer_version, event.actor])).toEqual([
      ['CustomerReactivated', 5, MANAGER],
      ['CustomerConverted', 6, MANAGER],
    ]);
  });

  it('a customer already `customer`: no Customer event; reopening and winning again moves nobody', async () => {
    const paying = await newCustomer('qualify', 'convert');
    const deal = await newDeal(paying);
    expect((await win(deal)).status).toBe(200);
    expect((await api.call({ method: 'POST', path: `${BASE}/deals/${deal}/reopen` })).status).toBe(200);
    expect((await win(deal)).body.data).toMatchObject({ status: 'won', version: 4 });
    expect(await customer(paying)).toMatchObject({ status: 'customer', version: 3 });
    expect(await events('customer', paying)).toHaveLength(3);
  });

  it('a deal lost, or won without a primary customer, moves no one', async () => {
    const lead = await newCustomer();
    const lost = await newDeal(lead);
    expect((await api.call({ method: 'POST', path: `${BASE}/deals/${lost}/lose`, body: { lost_reason: 'price' } })).status).toBe(200);
    expect(await customer(lead)).toMatchObject({ status: 'lead', version: 1 });
    const company = (await api.call({ method: 'POST', path: `${BASE}/companies`, body: { name: 'No person Ltd' } })).body.data.id;
    const companyDeal = (await api.call({ method: 'POST', path: `${BASE}/deals`, body: { name: 'B2B', company_id: company } })).body.data
      .id;
    expect((await win(companyDeal)).body.data).toMatchObject({ status: 'won', primary_customer_id: null });
  });

  it('two deals of one lead won at once: both win, the customer is qualified and converted exactly once', async () => {
    const lead = await newCustomer();
    const deals = [await newDeal(lead), await newDeal(lead)];
    const results = await Promise.all(deals.map(win));
    expect(results.map((result) => [result.status, result.body.data?.status])).toEqual([
      [200, 'won'],
      [200, 'won'],
    ]);
    expect(await customer(lead)).toMatchObject({ status: 'customer', version: 3 });
    expect((await events('customer', lead)).map((event) => event.event_type)).toEqual([
      'CustomerCreated',
      'CustomerQualified',
      'CustomerConverted',
    ]);
  });
});
