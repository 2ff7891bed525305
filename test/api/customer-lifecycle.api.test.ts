import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, openTestDatabase, type TestDatabase } from '../support/test-databases.js';
import { ADMIN_ID, BASE, claimsFor, createApiHarness, steppingClock, type ApiHarness } from '../support/api-harness.js';

const REP = '019b6ec4-774c-70e0-9c2c-7ba19630289d';
const NO_PURCHASES = { orders_count: 0, total_spent_minor: {}, first_order_at: null, last_order_at: null };
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(availableDialects())('the seed walkthrough on %s', (dialect) => {
  let database: TestDatabase;
  let api: ApiHarness;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    api = createApiHarness(database.db, steppingClock('2025-12-30T10:00:00.000Z'));
    await api.registerSalesRep(REP);
  });
  afterAll(() => database.close());

  it('creates, assigns, qualifies, converts, re-tiers, tags and reads a customer', async () => {
    const created = await api.call({
      method: 'POST',
      path: `${BASE}/customers`,
      body: { name: 'John Doe', email: 'john@example.com', phone: '+380123456789', source: 'website', tier: 'free' },
    });
    const id = created.body.data.id as string;
    expect(id).toMatch(UUID_V7);
    expect(created.status).toBe(201);
    expect(created.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      etag: '"1"',
      location: `${BASE}/customers/${id}`,
      'x-request-id': expect.any(String),
    });
    expect(created.body).toEqual({
      status: 'success',
      data: {
        id,
        name: 'John Doe',
        email: 'john@example.com',
        phone: '+380123456789',
        status: 'lead',
        tier: 'free',
        source: 'website',
        assigned_to: null,
        tags: [],
        user_id: null,
        company_id: null,
        external_id: null,
        version: 1,
        churned_at: null,
        created_at: '2025-12-30T10:00:00.000Z',
        updated_at: '2025-12-30T10:00:00.000Z',
        purchase_summary: NO_PURCHASES,
        last_interaction_at: null,
      },
    });

    const steps = [
      { method: 'PUT', path: `${BASE}/customers/${id}/assign`, body: { assigned_to: REP }, expect: { assigned_to: REP } },
      { method: 'POST', path: `${BASE}/customers/${id}/qualify`, expect: { status: 'prospect' } },
      { method: 'POST', path: `${BASE}/customers/${id}/convert`, expect: { status: 'customer' } },
      { method: 'PUT', path: `${BASE}/customers/${id}/tier`, body: { tier: 'pro' }, expect: { tier: 'pro' } },
      {
        method: 'PUT',
        path: `${BASE}/customers/${id}/tags`,
        body: { tags: ['vip', 'high-value'] },
        expect: { tags: ['vip', 'high-value'] },
      },
    ];
    for (const [index, step] of steps.entries()) {
      const response = await api.call(step);
      expect(response.status, `${step.method} ${step.path}`).toBe(200);
      expect(response.headers.etag).toBe(`"${index + 2}"`);
      expect(response.body.data).toMatchObject({ ...step.expect, version: index + 2 });
    }

    const read = await api.call({ method: 'GET', path: `${BASE}/customers/${id}` });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      status: 'success',
      data: {
        id,
        name: 'John Doe',
        email: 'john@example.com',
        phone: '+380123456789',
        status: 'customer',
        tier: 'pro',
        source: 'website',
        assigned_to: REP,
        tags: ['vip', 'high-value'],
        user_id: null,
        company_id: null,
        external_id: null,
        version: 6,
        churned_at: null,
        created_at: '2025-12-30T10:00:00.000Z',
        updated_at: '2025-12-30T10:00:05.000Z',
        purchase_summary: NO_PURCHASES,
        last_interaction_at: null,
      },
    });

    const history = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history` });
    expect(history.status).toBe(200);
    expect(history.body.data.map((event: { event_type: string }) => event.event_type)).toEqual([
      'CustomerCreated',
      'CustomerAssigned',
      'CustomerQualified',
      'CustomerConverted',
      'CustomerTierChanged',
      'CustomerTagsChanged',
    ]);
    expect(history.body.data[4]).toEqual({
      event_id: expect.stringMatching(UUID_V7),
      event_type: 'CustomerTierChanged',
      event_version: 1,
      customer_id: id,
      customer_version: 5,
      occurred_at: '2025-12-30T10:00:04.000Z',
      actor: ADMIN_ID,
      data: { changes: { tier: { from: 'free', to: 'pro' } } },
    });
  });

  it('churns with a reason and reactivates, keeping the history and clearing churned_at', async () => {
    const { body } = await api.call({ method: 'POST', path: `${BASE}/customers`, body: { name: 'Churner', email: 'churner@example.com' } });
    const id = body.data.id as string;
    for (const command of ['qualify', 'convert']) await api.call({ method: 'POST', path: `${BASE}/customers/${id}/${command}` });

    const churned = await api.call({
      method: 'POST',
      path: `${BASE}/customers/${id}/churn`,
      body: { reason: 'moved to a competitor' },
      claims: claimsFor(['manager'], 'user-42'),
    });
    expect(churned.status).toBe(200);
    expect(churned.body.data.status).toBe('churned');
    expect(churned.body.data.churned_at).toBe(churned.body.data.updated_at);

    const reactivated = await api.call({ method: 'POST', path: `${BASE}/customers/${id}/reactivate` });
    expect(reactivated.body.data).toMatchObject({ status: 'prospect', churned_at: null });

    const history = await api.call({ method: 'GET', path: `${BASE}/customers/${id}/history` });
    const churnEvent = history.body.data.find((event: { event_type: string }) => event.event_type === 'CustomerChurned');
    expect(churnEvent.actor).toBe('user-42');
    expect(churnEvent.data).toEqual({
      changes: {
        status: { from: 'customer', to: 'churned' },
        churned_at: { from: null, to: churned.body.data.churned_at },
      },
      reason: 'moved to a competitor',
    });
    const reactivateEvent = history.body.data.at(-1);
    expect(reactivateEvent.data).toEqual({
      changes: { status: { from: 'churned', to: 'prospect' }, churned_at: { from: churned.body.data.churned_at, to: null } },
    });
  });
});
